using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace MlNetBaseline;

/// <summary>
/// <c>train</c>: fits ML.NET's <c>LbfgsMaximumEntropy</c> on a feature store and reports, as one
/// JSON object, the Fit time and the trained model's objective in our formulation.
/// </summary>
/// <remarks>
/// No normaliser is appended: the estimator API never normalises on its own (only the legacy
/// command-line/entry-point paths did), so ML.NET optimises over exactly the matrix in the store,
/// as our trainer does, and the two objectives are comparable number for number.
/// </remarks>
internal static class LbfgsMaximumEntropyBaseline
{
    private sealed class TrainingRow
    {
        public uint Label { get; set; }
        public float[] Features { get; set; } = [];
    }

    public static async Task<int> RunAsync(CommandLineArguments args, CancellationToken ct)
    {
        var featuresDir = args.GetString("features");
        var maxIterations = args.GetInt("max-iter", 1, int.MaxValue);
        var tolerance = args.GetDouble("tol", 0, 1);
        var sparkWeights = args.Has("reg-param") || args.Has("elastic-net");
        if (sparkWeights && (args.Has("l1") || args.Has("l2")))
        {
            throw new ArgumentException("Give either --l1/--l2 (ML.NET weights) or --reg-param/--elastic-net (ours), not both.");
        }

        if (args.Has("test-features") && args.Has("test-fraction"))
        {
            throw new ArgumentException("Give either --test-features or --test-fraction, not both.");
        }

        double? l1 = sparkWeights ? null : args.GetDouble("l1", 0, float.MaxValue);
        double? l2 = sparkWeights ? null : args.GetDouble("l2", 0, float.MaxValue);
        double? regParam = sparkWeights ? args.GetDouble("reg-param", 0, float.MaxValue) : null;
        double? elasticNet = sparkWeights ? args.GetDouble("elastic-net", 0, 1) : null;
        var testDir = args.GetOptionalString("test-features");
        var testFraction = testDir is null ? args.GetDouble("test-fraction", 0, 1, maxExclusive: true, fallback: 0) : 0;
        var seed = args.GetInt("seed", int.MinValue, int.MaxValue, fallback: 42);
        args.ThrowIfUnused();
        if (tolerance <= 0)
        {
            throw new ArgumentException("Option --tol must be greater than 0.");
        }

        var all = await FeatureStoreReader.ReadAsync(featuresDir, withPaths: false, ct);
        var (training, test) = testDir is not null
            ? (all, await FeatureStoreReader.ReadAsync(testDir, withPaths: false, ct))
            : Split(all, testFraction, seed);
        if (test is not null && test.Dimension != training.Dimension)
        {
            throw new InvalidDataException($"Test store '{testDir}' has {test.Dimension} features per row, training store {training.Dimension}.");
        }

        var classes = Math.Max(training.Labels.Max(), test?.Labels.Max() ?? 0) + 1;
        var regularisation = sparkWeights
            ? RegularisationMapping.FromSpark(regParam!.Value, elasticNet!.Value, training.Rows)
            : new RegularisationMapping(l1!.Value, l2!.Value, training.Rows);

        var ml = new MLContext(seed: seed);
        var view = ToDataView(ml, training, classes);
        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            LabelColumnName = nameof(TrainingRow.Label),
            FeatureColumnName = nameof(TrainingRow.Features),
            L1Regularization = (float)regularisation.L1Weight,
            L2Regularization = (float)regularisation.L2Weight,
            MaximumNumberOfIterations = maxIterations,
            OptimizationTolerance = (float)tolerance,
        });

        var clock = Stopwatch.StartNew();
        var transformer = trainer.Fit(view);
        var seconds = clock.Elapsed.TotalSeconds;

        var model = Extract(transformer.Model, training.Dimension);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            trainer = "ML.NET 5.0.1 LbfgsMaximumEntropy",
            seconds,
            // ML.NET exposes no iteration count: the optimizer state is internal and logs none.
            iterations = (int?)null,
            trainingRows = training.Rows,
            testRows = test?.Rows ?? 0,
            dimension = training.Dimension,
            classes,
            l1Weight = regularisation.L1Weight,
            l2Weight = regularisation.L2Weight,
            regParam = regularisation.RegParam,
            elasticNetParam = regularisation.ElasticNetParam,
            maxIterations,
            tolerance,
            objective = model.Objective(training, regularisation),
            trainingLogLoss = model.MeanLogLoss(training),
            trainingAccuracy = model.Accuracy(training),
            testAccuracy = test is null ? (double?)null : model.Accuracy(test),
            nonZeroWeights = model.NonZeroWeights,
        }));
        return 0;
    }

    /// <summary>
    /// Seeded Fisher–Yates split. It is not Spark's randomSplit, so for a row-for-row comparison
    /// with our trainer pass explicit --test-features stores instead.
    /// </summary>
    private static (FeatureMatrix Training, FeatureMatrix? Test) Split(FeatureMatrix all, double testFraction, int seed)
    {
        if (testFraction == 0)
        {
            return (all, null);
        }

        var order = Enumerable.Range(0, all.Rows).ToArray();
        new Random(seed).Shuffle(order);
        var testRows = (int)Math.Round(all.Rows * testFraction);
        if (testRows == 0 || testRows == all.Rows)
        {
            throw new ArgumentException($"Option --test-fraction {testFraction} leaves an empty training or test set of {all.Rows} rows.");
        }

        return (all.Select(order[testRows..]), all.Select(order[..testRows]));
    }

    private static IDataView ToDataView(MLContext ml, FeatureMatrix data, int classes)
    {
        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.Dimension);
        // A key column stores k+1 for class k (0 means missing). LoadFromEnumerable takes the
        // POCO value as 0-based and adds the 1 itself (DataViewConstructionUtils
        // CreateKeyGetterDelegate; values >= count become missing), and the trainer maps key k+1
        // back to class k (RowCursorUtils.GetLabelGetter): so Label = label_index, and weight
        // row k is label_index k.
        schema[nameof(TrainingRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), classes);
        var rows = new TrainingRow[data.Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new TrainingRow { Label = (uint)data.Labels[i], Features = data.Row(i).ToArray() };
        }

        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private static MultinomialLinearModel Extract(MaximumEntropyModelParameters parameters, int dimension)
    {
        VBuffer<float>[] perClass = [];
        parameters.GetWeights(ref perClass, out var classes);
        var weights = new float[classes * dimension];
        for (var k = 0; k < classes; k++)
        {
            perClass[k].CopyTo(weights.AsSpan(k * dimension, dimension));
        }

        return new MultinomialLinearModel(classes, dimension, weights, parameters.GetBiases().ToArray());
    }
}
