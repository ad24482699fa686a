using System.IO.Compression;
using System.Text.Json;
using Parquet;
using Parquet.Schema;
using Pipeline.Decoding;
using Pipeline.Evaluation;
using Pipeline.IO;

namespace Pipeline.Prediction;

/// <summary>
/// Writes <c>predictions.parquet</c>: one row per input image, predictions first, then rejects.
/// </summary>
/// <remarks>
/// Columns: <c>path</c> (string); <c>label</c> (the source's label, null for unlabelled image
/// files); <c>predicted_label</c> (null for a reject); <c>probability</c> (of the predicted label);
/// one <c>p_&lt;class&gt;</c> double per class, in the model's class order (a flat column per
/// class reads directly in pandas, DuckDB and Spark, unlike a list column); <c>reject_stage</c> and
/// <c>reject_reason</c> (null for a prediction). Every value column is nullable so that rejected
/// images sit in the same file as the predictions. The file's key-value metadata holds
/// <see cref="ClassesKey"/> (the classes as a JSON array) and <see cref="FeaturizerKey"/> (the
/// featurizer's ONNX SHA-256). Written under a hidden temporary name and renamed into place.
/// </remarks>
internal static class PredictionWriter
{
    public const string ClassesKey = "pipeline.classes";
    public const string FeaturizerKey = "pipeline.featurizer_sha256";
    public const string ProbabilityColumnPrefix = "p_";

    private const int RowGroupSize = 65_536;

    public static async Task WriteAsync(
        string path,
        ClassifierModel model,
        IReadOnlyList<string> paths,
        IReadOnlyList<string?> labels,
        double[] probabilities,
        IReadOnlyList<Reject> rejects,
        CancellationToken cancellationToken)
    {
        var classes = model.Classes;
        var k = classes.Count;
        var pathField = new DataField<string>("path", nullable: false);
        var labelField = new DataField<string>("label", nullable: true);
        var predictedField = new DataField<string>("predicted_label", nullable: true);
        var probabilityField = new DataField<double?>("probability");
        var classFields = classes.Select(c => new DataField<double?>(ProbabilityColumnPrefix + c)).ToArray();
        var stageField = new DataField<string>("reject_stage", nullable: true);
        var reasonField = new DataField<string>("reject_reason", nullable: true);
        var schema = new ParquetSchema([pathField, labelField, predictedField, probabilityField, .. classFields, stageField, reasonField]);

        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var total = paths.Count + rejects.Count;
        await AtomicFile.WriteAsync(full, async (stream, ct) =>
        {
            var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, CompressionLevel = CompressionLevel.Optimal };
            var writer = await ParquetWriter.CreateAsync(schema, stream, options, append: false, ct).ConfigureAwait(false);
            await using var _ = writer.ConfigureAwait(false);
            writer.CustomMetadata = new Dictionary<string, string>
            {
                [ClassesKey] = JsonSerializer.Serialize(classes),
                [FeaturizerKey] = model.Featurizer.ModelSha256,
            };
            for (var start = 0; start < total; start += RowGroupSize)
            {
                var n = Math.Min(RowGroupSize, total - start);
                var pathValues = new string[n];
                var labelValues = new string?[n];
                var predicted = new string?[n];
                var probability = new double?[n];
                var perClass = new double?[k][];
                for (var c = 0; c < k; c++)
                {
                    perClass[c] = new double?[n];
                }

                var stages = new string?[n];
                var reasons = new string?[n];
                for (var i = 0; i < n; i++)
                {
                    var row = start + i;
                    if (row < paths.Count)
                    {
                        var p = probabilities.AsSpan(row * k, k);
                        for (var c = 0; c < k; c++)
                        {
                            perClass[c][i] = p[c];
                        }

                        var best = MulticlassEvaluator.ArgMax(p);

                        pathValues[i] = paths[row];
                        labelValues[i] = labels[row];
                        predicted[i] = classes[best];
                        probability[i] = p[best];
                    }
                    else
                    {
                        var reject = rejects[row - paths.Count];
                        pathValues[i] = reject.Path;
                        stages[i] = reject.Stage;
                        reasons[i] = reject.Reason;
                    }
                }

                using var group = writer.CreateRowGroup();
                await group.WriteAsync(pathField, pathValues).ConfigureAwait(false);
                await group.WriteAsync(labelField, labelValues).ConfigureAwait(false);
                await group.WriteAsync(predictedField, predicted).ConfigureAwait(false);
                await group.WriteAsync<double>(probabilityField, probability.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
                for (var c = 0; c < k; c++)
                {
                    await group.WriteAsync<double>(classFields[c], perClass[c].AsMemory(), cancellationToken: ct).ConfigureAwait(false);
                }

                await group.WriteAsync(stageField, stages).ConfigureAwait(false);
                await group.WriteAsync(reasonField, reasons).ConfigureAwait(false);
                group.CompleteValidate();
            }
        }, cancellationToken).ConfigureAwait(false);
    }
}
