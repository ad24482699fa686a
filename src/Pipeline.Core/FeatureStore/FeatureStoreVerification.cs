using System.Globalization;
using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// <c>pipeline store verify</c>: whether a store, sharded or not, is whole and consistent, and what
/// it holds. The checks, in order, stop at the first problem: every shard committed and published,
/// <c>features/_SUCCESS</c>, every part readable with the feature store's schema and one featurizer
/// (<see cref="FeatureStoreReader.OpenAsync"/>), no other <c>*.parquet</c> file in <c>features/</c>,
/// no image key (path) in two rows, and every row of a part named for a shard in that shard: its key
/// recomputed from its path by the scheme the part's footer records (<see cref="ShardKeyScheme"/>) and
/// assigned by <see cref="Sources.Shard.Of"/>, the assignment the shard ran. A part written before the
/// scheme was recorded cannot be checked, which <see cref="Notes"/> says.
/// </summary>
/// <param name="Store">The store's root (absolute).</param>
/// <param name="ShardCount">The shards it was written in; null for an unsharded store.</param>
/// <param name="Parts">Parquet parts read.</param>
/// <param name="Rows">Rows over all parts.</param>
/// <param name="DistinctKeys">Distinct paths among them.</param>
/// <param name="Metadata">The featurizer every part shares; null when the parts were not read.</param>
/// <param name="Problem">The first problem, as one sentence; null for a store that passed.</param>
internal sealed record FeatureStoreVerification(
    string Store, int? ShardCount, int Parts, long Rows, long DistinctKeys, FeatureStoreMetadata? Metadata, string? Problem)
{
    /// <summary>Rows whose path an earlier row already has.</summary>
    public long Duplicates => Rows - DistinctKeys;

    public bool Passed => Problem is null;

    /// <summary>A sharded store whose parts <c>store compact</c> took out of their shards' names.</summary>
    public bool Compacted { get; init; }

    /// <summary>What could not be checked, one line each (sharded parts without a key scheme).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    public static async Task<FeatureStoreVerification> RunAsync(string storeDirectory, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeDirectory);
        var root = Path.GetFullPath(storeDirectory);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Feature store directory '{root}' does not exist.");
        }

        int? count;
        try
        {
            count = ShardedStore.CountOf(root);
        }
        catch (InvalidDataException e)
        {
            return new(root, null, 0, 0, 0, null, e.Message);
        }

        if (count is { } n)
        {
            foreach (var shard in Enumerable.Range(0, n).Select(i => new Shard(i, n)))
            {
                if (ShardedStore.CommittedAttemptOf(root, shard) is null)
                {
                    return new(root, n, 0, 0, 0, null, $"Feature store '{root}' is incomplete: shard {shard} has not committed (no {Path.GetRelativePath(root, ShardedStore.MarkerOf(root, shard))}); run that shard again.");
                }

                if (!ShardedStore.IsPublished(root, shard))
                {
                    return new(root, n, 0, 0, 0, null, $"Feature store '{root}' is incomplete: shard {shard} committed but not all of its files are in the store yet; run that shard again to finish moving them.");
                }
            }
        }

        var features = FeatureStoreLayout.FeaturesDirectory(root);
        if (!File.Exists(Path.Combine(features, FeatureStoreLayout.SuccessMarker)))
        {
            return new(root, count, 0, 0, 0, null, $"Feature store '{root}' is incomplete: '{features}' has no {FeatureStoreLayout.SuccessMarker} marker.");
        }

        // DuckDB's and Spark's features/*.parquet globs read every such file, a part or not.
        var parts = FeatureStoreLayout.FindParquetParts(features).ToHashSet(StringComparer.Ordinal);
        if (Directory.EnumerateFiles(features, "*" + FeatureStoreLayout.ParquetExtension).Order(StringComparer.Ordinal).FirstOrDefault(f => !parts.Contains(f)) is { } stray)
        {
            return new(root, count, 0, 0, 0, null, $"Feature store '{root}' holds '{stray}', which is no part of it but which a features/*.parquet glob (DuckDB, Spark) would read; move it out of the store.");
        }

        FeatureStoreReader reader;
        try
        {
            reader = await FeatureStoreReader.OpenAsync(root, ct).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            return new(root, count, 0, 0, 0, null, e.Message);
        }

        var firstPart = new Dictionary<string, int>(StringComparer.Ordinal);
        var rows = 0L;
        var uncheckable = new List<string>();
        for (var p = 0; p < reader.PartFiles.Count; p++)
        {
            try
            {
                var part = reader.PartFiles[p];
                var shard = FeatureStoreLayout.ShardOf(part);
                ShardKeyScheme? scheme = null;
                if (shard is not null)
                {
                    var footer = await FeatureStoreReader.OpenPartAsync(part, ct).ConfigureAwait(false);
                    await using (footer.ConfigureAwait(false))
                    {
                        scheme = FeatureStoreKeyValues.ShardKeySchemeOf(footer.CustomMetadata);
                    }

                    if (scheme is null)
                    {
                        uncheckable.Add(Path.GetFileName(part));
                    }
                }

                await foreach (var record in reader.ReadRecordsAsync(p, ct).ConfigureAwait(false))
                {
                    rows++;
                    if (scheme is not null && !scheme.KeysOf(record.Path).Any(k => Shard.Of(k, shard!.Count) == shard.Index))
                    {
                        var key = scheme.KeysOf(record.Path).First();
                        return new(root, count, reader.PartFiles.Count, rows, firstPart.Count, reader.Metadata, string.Create(
                            CultureInfo.InvariantCulture,
                            $"Feature store part '{part}' is named for shard {shard} but holds image '{record.Path}', whose key '{key}' is shard {Shard.Of(key, shard!.Count)}/{shard.Count}'s: the part was moved or renamed from another shard; featurize the store again."));
                    }

                    if (!firstPart.TryAdd(record.Path, p))
                    {
                        var earlier = reader.PartFiles[firstPart[record.Path]];
                        var where = earlier == reader.PartFiles[p] ? $"twice in part '{earlier}'" : $"in part '{earlier}' and again in '{reader.PartFiles[p]}'";
                        return new(root, count, reader.PartFiles.Count, rows, firstPart.Count, reader.Metadata, $"Feature store '{root}' holds image '{record.Path}' {where}: a duplicate row.");
                    }
                }
            }
            catch (InvalidDataException e)
            {
                return new(root, count, reader.PartFiles.Count, rows, firstPart.Count, reader.Metadata, e.Message);
            }
        }

        return new(root, count, reader.PartFiles.Count, rows, firstPart.Count, reader.Metadata, null)
        {
            Compacted = count is not null && reader.PartFiles.All(f => FeatureStoreLayout.ShardOf(f) is null),
            Notes = uncheckable.Count == 0
                ? []
                : [string.Create(
                    CultureInfo.InvariantCulture,
                    $"note: {uncheckable.Count} sharded {(uncheckable.Count == 1 ? "part records" : "parts record")} no shard key scheme (written before it was recorded), so whether {(uncheckable.Count == 1 ? "its" : "their")} rows are {(uncheckable.Count == 1 ? "its" : "their")} shard's was not checked: {string.Join(", ", uncheckable.Take(5))}{(uncheckable.Count > 5 ? ", …" : string.Empty)}.")],
        };
    }

    /// <summary>The summary <c>store verify</c> prints for a store that passed.</summary>
    public string Describe()
    {
        var culture = CultureInfo.InvariantCulture;
        var layout = ShardCount is { } n ? string.Create(culture, $"{n} shards, all committed{(Compacted ? ", compacted into unsharded parts" : string.Empty)}") : "unsharded";
        var m = Metadata;
        string[] lines =
        [
            $"store: {Store}",
            $"layout: {layout}, {FeatureStoreLayout.SuccessMarker} present",
            string.Create(culture, $"parts: {Parts}  rows: {Rows}  distinct keys: {DistinctKeys}  duplicates: {Duplicates}"),
            m is null ? "featurizer: none" : string.Create(culture, $"featurizer: {m.ModelName} ({m.ModelSha256[..Math.Min(12, m.ModelSha256.Length)]}), {m.FeatureNode}, dimension {m.Dimension}, one schema and featurizer across parts"),
            m is null ? "classes: none" : string.Create(culture, $"classes: {m.Classes.Count} ({string.Join(", ", m.Classes.Take(10))}{(m.Classes.Count > 10 ? ", …" : string.Empty)})"),
            .. Notes,
        ];
        return string.Join(Environment.NewLine, lines);
    }
}
