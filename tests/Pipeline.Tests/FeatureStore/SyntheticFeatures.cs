using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

/// <summary>
/// Rows whose every column is a function of the row number, so a reader's output can be checked
/// value by value. Features are multiples of 1/8 below 2^21, exact in float32.
/// </summary>
internal static class SyntheticFeatures
{
    public static readonly string[] Classes = ["cat", "dog", "eel"];

    public static FeatureStoreMetadata Metadata(int dimension) => new(
        "resnet18",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "Pooling395_Output_0",
        dimension,
        "stretch 224x224; BGR; mean-subtract ImageNet; NCHW",
        Classes,
        new DateTimeOffset(2026, 1, 2, 3, 4, 5, 678, TimeSpan.FromHours(1)));

    public static string PathOf(int row) => $"images/img-{row:D6}-{Classes[row % Classes.Length]}.png";

    public static FeatureRecord Record(int row) => new(
        PathOf(row),
        Classes[row % Classes.Length],
        row % Classes.Length,
        Width: 100 + row,
        Height: 200 + row,
        FileBytes: 10_000L + row,
        FileModifiedUnixMs: 1_700_000_000_000L + row);

    public static float Feature(int row, int j) => ((row * 1000) + j - 500) / 8f;

    public static (FeatureRecord[] Records, float[] Features) Rows(int first, int count, int dimension)
    {
        var records = new FeatureRecord[count];
        var features = new float[count * dimension];
        for (var i = 0; i < count; i++)
        {
            records[i] = Record(first + i);
            for (var j = 0; j < dimension; j++)
            {
                features[(i * dimension) + j] = Feature(first + i, j);
            }
        }

        return (records, features);
    }

    /// <summary>Writes rows [0, count) in batches of <paramref name="batch"/>.</summary>
    public static async Task WriteRowsAsync(FeatureStoreWriter writer, int first, int count, int batch)
    {
        for (var start = first; start < first + count; start += batch)
        {
            var n = Math.Min(batch, first + count - start);
            var (records, features) = Rows(start, n, writer.Metadata.Dimension);
            await writer.WriteAsync(records, features, CancellationToken.None);
        }
    }
}
