using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Pipeline.Settings;
using Pipeline.Training;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline train</c>: feature store → model folder (model.json, model.onnx) and test report.</summary>
internal static class TrainCommand
{
    private static readonly NumberRange Fraction = new(0, 1);

    public static Command Create()
    {
        var defaults = LogisticRegressionOptions.Default;
        var features = new Option<string>("--features", "-f") { Description = "Feature store to train on (the output of `pipeline featurize`).", Required = true }.NotEmpty();
        var output = new Option<string>("--output", "-o") { Description = "Model folder: model.json, model.onnx, report/.", Required = true }.NotEmpty();
        var maxIter = new Option<int>("--max-iter") { Description = "Maximum solver iterations.", DefaultValueFactory = _ => defaults.MaxIter }
            .InRange(new NumberRange(0, int.MaxValue));
        var regParam = new Option<double>("--reg-param") { Description = "Regularisation strength λ ≥ 0.", DefaultValueFactory = _ => defaults.RegParam }
            .InRange(NumberRange.NonNegative);
        var elasticNet = new Option<double>("--elastic-net-param") { Description = "Elastic-net mixing α in [0, 1]: 0 is L2, 1 is L1.", DefaultValueFactory = _ => defaults.ElasticNetParam }
            .InRange(Fraction);
        var tol = new Option<double>("--tol") { Description = "Convergence tolerance.", DefaultValueFactory = _ => defaults.Tol }
            .InRange(NumberRange.NonNegative);
        var standardization = new Option<bool>("--standardization") { Description = "Penalise standardised coefficients.", DefaultValueFactory = _ => defaults.Standardization };
        var fitIntercept = new Option<bool>("--fit-intercept") { Description = "Fit per-class intercepts.", DefaultValueFactory = _ => defaults.FitIntercept };
        var testFraction = new Option<double>("--test-fraction")
        {
            Description = "Share of rows held out for testing, in [0, 1). 0 trains on every row (Spark's fit(df)): no evaluation unless --test-features is given.",
            DefaultValueFactory = _ => 0.2,
        }.InRange(Fraction with { MaxExclusive = true });
        var seed = new Option<ulong>("--seed") { Description = "Seed of the split and the folds.", DefaultValueFactory = _ => 42UL };
        var stratify = new Option<bool>("--stratify") { Description = "Keep class proportions in the train/test split." };
        var testFeatures = new Option<string?>("--test-features") { Description = "Separate test feature store (same featurizer); then all of --features is trained on." }.NotEmpty();
        var gridRegParam = NumberList("--grid-reg-param", "Grid search over regParam: comma-separated values, e.g. 0.01,0.03,0.1.", NumberRange.NonNegative);
        var gridElasticNet = NumberList("--grid-elastic-net", "Grid search over elasticNetParam: comma-separated values, e.g. 0,0.5,1.", Fraction);
        var folds = new Option<int>("--folds") { Description = "Cross-validation folds of a grid search.", DefaultValueFactory = _ => 3 }
            .InRange(new NumberRange(2, int.MaxValue));
        var metric = new Option<SelectionMetricKind>("--metric") { Description = "Grid-search selection metric: f1, accuracy, weightedPrecision, weightedRecall or logLoss.", DefaultValueFactory = _ => SelectionMetricKind.F1 };
        var report = new Option<string?>("--report") { Description = "Report folder (default <output>/report)." }.NotEmpty();
        var modelsDir = CommonOptions.ModelsDirectory();

        var command = new Command("train", "Train multinomial elastic-net logistic regression on a feature store, save the model folder and a test report.")
        {
            features, output, maxIter, regParam, elasticNet, tol, standardization, fitIntercept, testFraction, seed, stratify, testFeatures,
            gridRegParam, gridElasticNet, folds, metric, report, modelsDir,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new TrainingJobOptions
            {
                FeaturesDirectory = parse.GetValue(features)!,
                OutputDirectory = parse.GetValue(output)!,
                TestFeaturesDirectory = parse.GetValue(testFeatures),
                ReportDirectory = parse.GetValue(report),
                ModelsDirectory = parse.GetValue(modelsDir)!,
                Regression = new LogisticRegressionOptions
                {
                    MaxIter = parse.GetValue(maxIter),
                    RegParam = parse.GetValue(regParam),
                    ElasticNetParam = parse.GetValue(elasticNet),
                    Tol = parse.GetValue(tol),
                    Standardization = parse.GetValue(standardization),
                    FitIntercept = parse.GetValue(fitIntercept),
                },
                TestFraction = parse.GetValue(testFraction),
                Seed = parse.GetValue(seed),
                Stratified = parse.GetValue(stratify),
                GridRegParams = GridAxis(parse, gridRegParam),
                GridElasticNetParams = GridAxis(parse, gridElasticNet),
                Folds = parse.GetValue(folds),
                Metric = parse.GetValue(metric),
            };
            using var logging = ConsoleLogging.Create();
            var result = await TrainingJob.RunAsync(options, logging.CreateLogger("train"), cancellationToken);
            SummaryPrinter.Print(result, options.Metric);
            return 0;
        });
        return command;
    }

    /// <summary>The values of a grid axis, or null when the option is absent (System.CommandLine gives an empty array then).</summary>
    private static double[]? GridAxis(ParseResult parse, Option<double[]?> axis) =>
        parse.GetResult(axis) is null ? null : parse.GetValue(axis);

    /// <summary>A comma-separated list of numbers in <paramref name="range"/>, checked while parsing so a bad one is a usage error.</summary>
    private static Option<double[]?> NumberList(string name, string description, NumberRange range) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            var option = OptionValidation.Typed((OptionResult)result.Parent!);
            var parts = result.Tokens[^1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                result.AddError($"{option} needs at least one value");
                return null;
            }

            var values = new double[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                {
                    result.AddError($"{option} takes comma-separated numbers, but '{parts[i]}' is not a number");
                    return null;
                }

                if (!double.IsFinite(values[i]) || !range.Contains(values[i]))
                {
                    result.AddError($"{option} values must be {range}, got {parts[i]}");
                    return null;
                }
            }

            return values;
        },
    };
}
