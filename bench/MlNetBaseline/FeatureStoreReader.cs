using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace MlNetBaseline;

/// <summary>
/// Reads the <c>label</c>, <c>label_index</c> and <c>features</c> columns (and <c>path</c> when
/// asked) of every <c>&lt;store&gt;/features/part-*.parquet</c> into one <see cref="FeatureMatrix"/>.
/// </summary>
/// <remarks>
/// <c>features</c> is a list&lt;float&gt;: Parquet.Net 6 returns it flattened, with repetition
/// level 0 opening each row. Every row must have the same length (the model's feature dimension),
/// which is checked rather than assumed because a ragged row would silently shift all later rows.
/// </remarks>
internal static class FeatureStoreReader
{
    public static async Task<FeatureMatrix> ReadAsync(string store, bool withPaths, CancellationToken ct)
    {
        var dir = Path.Combine(store, "features");
        if (!Directory.Exists(dir))
        {
            throw new DirectoryNotFoundException($"Feature store '{store}' has no features/ folder.");
        }

        var parts = Directory.GetFiles(dir, "part-*.parquet").Order(StringComparer.Ordinal).ToArray();
        if (parts.Length == 0)
        {
            throw new InvalidDataException($"Feature store folder '{dir}' holds no part-*.parquet files.");
        }

        var features = new List<float>();
        var labels = new List<int>();
        var names = new Dictionary<int, string>();
        var paths = withPaths ? new List<string>() : null;
        var dimension = -1;
        foreach (var part in parts)
        {
            await using var reader = await ParquetReader.CreateAsync(part, cancellationToken: ct);
            var featureField = FeatureElementField(reader.Schema, part);
            var labelField = TopLevelDataField(reader.Schema, "label", part);
            var indexField = TopLevelDataField(reader.Schema, "label_index", part);
            var pathField = withPaths ? TopLevelDataField(reader.Schema, "path", part) : null;
            for (var g = 0; g < reader.RowGroupCount; g++)
            {
                using var group = reader.OpenRowGroupReader(g);
                var rows = checked((int)group.RowCount);
                var labelIndex = new int[rows];
                var labelText = new string?[rows];
                await group.ReadAsync(indexField, labelIndex.AsMemory(), null, ct);
                await group.ReadAsync(labelField, labelText.AsMemory(), null, ct);
                if (pathField is not null)
                {
                    var pathText = new string?[rows];
                    await group.ReadAsync(pathField, pathText.AsMemory(), null, ct);
                    paths!.AddRange(pathText.Select(p => p ?? ""));
                }
                using var column = (RawColumnData<float>)await group.ReadRawColumnDataBaseAsync(featureField, ct);
                dimension = AppendFeatures(column, rows, dimension, features, $"'{part}' row group {g}");
                for (var i = 0; i < rows; i++)
                {
                    if (labelIndex[i] < 0)
                    {
                        throw new InvalidDataException($"'{part}' row group {g} row {i}: label_index {labelIndex[i]} is negative.");
                    }

                    labels.Add(labelIndex[i]);
                    names.TryAdd(labelIndex[i], labelText[i] ?? "");
                }
            }
        }
        if (labels.Count == 0)
        {
            throw new InvalidDataException($"Feature store '{store}' has no rows.");
        }

        return new FeatureMatrix(labels.Count, dimension, features.ToArray(), labels.ToArray(), names, paths);
    }

    /// <summary>Appends one row group's flattened features; returns the row length it found.</summary>
    private static int AppendFeatures(RawColumnData<float> column, int rows, int dimension, List<float> features, string where)
    {
        var values = column.Values;
        var repetition = column.RepetitionLevels;
        if (rows == 0)
        {
            return dimension;
        }

        if (values.Length % rows != 0 || values.Length == 0)
        {
            throw new InvalidDataException($"{where}: {values.Length} feature values for {rows} rows.");
        }

        var rowDimension = values.Length / rows;
        for (var i = 0; i < repetition.Length; i++)
        {
            if ((repetition[i] == 0) != (i % rowDimension == 0))
            {
                throw new InvalidDataException($"{where}: features rows are not all {rowDimension} long.");
            }
        }
        if (dimension >= 0 && rowDimension != dimension)
        {
            throw new InvalidDataException($"{where}: {rowDimension} features per row, earlier row groups {dimension}.");
        }

        features.AddRange(values);
        return rowDimension;
    }

    private static DataField FeatureElementField(ParquetSchema schema, string part) =>
        schema.Fields.FirstOrDefault(f => f.Name == "features") switch
        {
            ListField { Item: DataField item } => item,
            DataField { IsArray: true } legacy => legacy,
            _ => throw new InvalidDataException($"'{part}' has no list<float> column 'features'."),
        };

    private static DataField TopLevelDataField(ParquetSchema schema, string name, string part) =>
        schema.Fields.FirstOrDefault(f => f.Name == name) as DataField
        ?? throw new InvalidDataException($"'{part}' has no column '{name}'.");
}
