using System.Text.Encodings.Web;
using System.Text.Json;
using Pipeline.Metrics;

namespace Pipeline.Evaluation;

/// <summary>
/// Writes metrics.json. Key names are camelCase and fixed (a downstream dashboard or a diff of two
/// runs can rely on them); per-class sections are objects keyed by class name, in class-index
/// order. Undefined values (an AUC with no positives, an unknown training field) are null rather
/// than missing, so every run has the same keys.
/// </summary>
internal static class MetricsJsonWriter
{
    public static async Task WriteAsync(
        Stream stream,
        MulticlassEvaluation evaluation,
        EvaluationContext? context,
        IReadOnlyList<double>? objectiveHistory,
        CancellationToken cancellationToken)
    {
        var json = new Utf8JsonWriter(stream, new JsonWriterOptions
        {
            Indented = true,
            // A file for people and tools, never embedded in HTML: keep "+" or "é" in a class name readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        await using var _ = json.ConfigureAwait(false);
        json.WriteStartObject();
        json.WriteStartArray("classes");
        foreach (var name in evaluation.ClassNames)
        {
            json.WriteStringValue(name);
        }

        json.WriteEndArray();
        json.WriteNumber("sampleCount", evaluation.SampleCount);
        json.WriteNumber("accuracy", evaluation.Accuracy);
        json.WriteNumber("weightedPrecision", evaluation.WeightedPrecision);
        json.WriteNumber("weightedRecall", evaluation.WeightedRecall);
        json.WriteNumber("weightedF1", evaluation.WeightedF1);
        WriteNullable(json, "macroRocAuc", evaluation.MacroRocAuc);
        json.WriteNumber("logLoss", evaluation.LogLoss);

        json.WriteStartObject("perClass");
        foreach (var row in evaluation.PerClass)
        {
            json.WriteStartObject(row.Name);
            json.WriteNumber("precision", row.Precision);
            json.WriteNumber("recall", row.Recall);
            json.WriteNumber("f1", row.F1);
            json.WriteNumber("support", row.Support);
            WriteNullable(json, "rocAuc", row.RocAuc);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        WriteAverage(json, "macroAverage", evaluation.MacroAverage);
        WriteAverage(json, "weightedAverage", evaluation.WeightedAverage);
        WriteConfusionMatrix(json, evaluation.ConfusionMatrix);

        json.WriteStartObject("rocCurves");
        foreach (var curve in evaluation.RocCurves)
        {
            // Thresholds are left out: the first is +∞, which JSON cannot hold, and the curve is
            // for plotting; the type keeps them for callers that pick an operating point.
            json.WriteStartObject(curve.ClassName);
            json.WriteNumber("auc", curve.Auc);
            WriteArray(json, "falsePositiveRate", curve.FalsePositiveRates);
            WriteArray(json, "truePositiveRate", curve.TruePositiveRates);
            json.WriteEndObject();
        }

        json.WriteEndObject();

        if (context is not null)
        {
            WriteContext(json, context);
        }

        if (objectiveHistory is not null)
        {
            WriteArray(json, "objectiveHistory", objectiveHistory);
        }

        json.WriteEndObject();
        await json.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void WriteAverage(Utf8JsonWriter json, string name, AveragedMetrics average)
    {
        json.WriteStartObject(name);
        json.WriteNumber("precision", average.Precision);
        json.WriteNumber("recall", average.Recall);
        json.WriteNumber("f1", average.F1);
        json.WriteNumber("support", average.Support);
        json.WriteEndObject();
    }

    private static void WriteConfusionMatrix(Utf8JsonWriter json, ConfusionMatrix matrix)
    {
        var k = matrix.ClassCount;
        json.WriteStartObject("confusionMatrix");
        json.WriteStartArray("counts");
        for (var t = 0; t < k; t++)
        {
            json.WriteStartArray();
            for (var p = 0; p < k; p++)
            {
                json.WriteNumberValue(matrix[t, p]);
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteStartArray("rowNormalized");
        for (var t = 0; t < k; t++)
        {
            json.WriteStartArray();
            for (var p = 0; p < k; p++)
            {
                json.WriteNumberValue(matrix.RowFraction(t, p));
            }

            json.WriteEndArray();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteContext(Utf8JsonWriter json, EvaluationContext context)
    {
        json.WriteStartObject("training");
        WriteNullable(json, "modelName", context.ModelName);
        if (context.Parameters is null)
        {
            json.WriteNull("parameters");
        }
        else
        {
            json.WriteStartObject("parameters");
            foreach (var (key, value) in context.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteString(key, value);
            }

            json.WriteEndObject();
        }

        WriteNullable(json, "iterations", context.Iterations);
        WriteNullable(json, "stopReason", context.StopReason);
        WriteNullable(json, "trainSamples", context.TrainSamples);
        WriteNullable(json, "testSamples", context.TestSamples);
        WriteNullable(json, "trainingSeconds", context.TrainingSeconds);
        json.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter json, string name, IReadOnlyList<double> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteNumberValue(value);
        }

        json.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, int? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }
}
