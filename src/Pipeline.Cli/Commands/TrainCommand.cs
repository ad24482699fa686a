using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.Export;
using Pipeline.Settings;
using Pipeline.Training;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline train</c>: feature store → model folder (model.json, model.onnx) and test report.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var features = new Option<string>("--features", "-f") { Description = "Feature store to train on (the output of `pipeline featurize`).", Required = true }.NotEmpty();
        var output = new Option<string>("--output", "-o") { Description = "Model folder: model.json, model.onnx, report/.", Required = true }.NotEmpty();
        var maxIter = SettingOptions.Number(SettingCatalog.Train.MaxIter);
        var regParam = SettingOptions.Number(SettingCatalog.Train.RegParam);
        var elasticNet = SettingOptions.Number(SettingCatalog.Train.ElasticNetParam);
        var tol = SettingOptions.Number(SettingCatalog.Train.Tol);
        var standardization = SettingOptions.Flag(SettingCatalog.Train.Standardization);
        var fitIntercept = SettingOptions.Flag(SettingCatalog.Train.FitIntercept);
        var testFraction = SettingOptions.Number(SettingCatalog.Split.TestFraction);

        // One seed for the split and the folds; unsigned, as TrainingJobOptions takes it.
        var seed = new Option<ulong>(SettingOptions.Name(SettingCatalog.Split.Seed)) { Description = SettingCatalog.Split.Seed.Description, DefaultValueFactory = _ => (ulong)SettingCatalog.Split.Seed.Default };
        var stratify = SettingOptions.Flag(SettingCatalog.Split.Stratify);
        var testFeatures = new Option<string?>("--test-features") { Description = "Separate test feature store (same featurizer); then all of --features is trained on." }.NotEmpty();
        var gridRegParam = NumberList(SettingCatalog.Grid.RegParam);
        var gridElasticNet = NumberList(SettingCatalog.Grid.ElasticNetParam);
        var gridStandardization = FlagList(SettingCatalog.Grid.Standardization);
        var folds = SettingOptions.Number(SettingCatalog.Grid.Folds);
        var metric = SettingOptions.Choice<SelectionMetricKind>(SettingCatalog.Grid.Metric);
        var report = new Option<string?>("--report") { Description = "Report folder (default <output>/report)." }.NotEmpty();
        var modelsDir = CommonOptions.ModelsDirectory();
        var layers = new Option<string>(SettingOptions.Name(SettingCatalog.Model.Layers))
        {
            Description = "Train on these layers of a store featurized with several (--layers at featurize), comma-separated, in this order; empty trains on every column.",
            DefaultValueFactory = _ => SettingCatalog.Model.Layers.Default,
        };

        var command = new Command("train", "Train multinomial elastic-net logistic regression on a feature store, save the model folder and a test report.")
        {
            features, output, maxIter, regParam, elasticNet, tol, standardization, fitIntercept, testFraction, seed, stratify, testFeatures,
            gridRegParam, gridElasticNet, gridStandardization, folds, metric, report, modelsDir, layers,
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
                Layers = SettingOptions.List(parse.GetValue(layers)!),
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
                GridStandardization = parse.GetResult(gridStandardization) is null ? null : parse.GetValue(gridStandardization),
                Folds = parse.GetValue(folds),
                Metric = parse.GetValue(metric),
            };
            using var logging = ConsoleLogging.Create();
            var logger = logging.CreateLogger("train");
            var training = await TrainingJob.RunAsync(options, logger, cancellationToken);
            var export = await OnnxExportJob.RunAsync(training.Model, training.ModelDirectory, options.ModelsDirectory, logger, cancellationToken);
            var evaluation = await EvaluationJob.RunAsync(training, options, cancellationToken);
            SummaryPrinter.Print(training, export, evaluation, options.Metric);
            return 0;
        });
        return command;
    }

    /// <summary>The values of a grid axis, or null when the option is absent (System.CommandLine gives an empty array then).</summary>
    private static double[]? GridAxis(ParseResult parse, Option<double[]?> axis) =>
        parse.GetResult(axis) is null ? null : parse.GetValue(axis);

    /// <summary>A comma-separated list of true/false values, checked while parsing so a bad one is a usage error.</summary>
    private static Option<bool[]?> FlagList(FlagListSetting setting) =>
        CommaList<bool>(SettingOptions.Name(setting), setting.Description, (option, part) =>
            bool.TryParse(part, out var value) ? (value, null) : (false, $"{option} takes comma-separated true/false values, but '{part}' is neither"));

    /// <summary>A comma-separated list of the setting's numbers, each checked against its range while parsing so a bad one is a usage error.</summary>
    private static Option<double[]?> NumberList(NumberListSetting setting) =>
        CommaList<double>(SettingOptions.Name(setting), setting.Description, (option, part) =>
            !double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? (0, $"{option} takes comma-separated numbers, but '{part}' is not a number")
            : !setting.Item.Allows(value) ? (0, $"{option} values must be {setting.Range}, got {part}")
            : (value, null));

    /// <summary>An option whose last token is split at commas, each part read by <paramref name="parse"/> (its value, or the usage error).</summary>
    private static Option<T[]?> CommaList<T>(string name, string description, Func<string, string, (T Value, string? Error)> parse) => new(name)
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

            var values = new T[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                var (value, error) = parse(option, parts[i]);
                if (error is not null)
                {
                    result.AddError(error);
                    return null;
                }

                values[i] = value;
            }

            return values;
        },
    };
}
