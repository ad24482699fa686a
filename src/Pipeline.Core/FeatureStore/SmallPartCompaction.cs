using System.Globalization;
using Parquet;
using Parquet.Meta;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// Merges a store's small parts (fewer rows than <see cref="FeatureStoreOptions.RowsPerPart"/>: a
/// stream's one part per micro-batch) into parts of about that many rows, in a new generation that
/// replaces the live one in one atomic step (<see cref="FeatureStoreGenerations"/>), so a reader
/// never sees a row twice or misses one. A stream's predictions parts are merged alongside, under
/// the same new numbers, in the same generation.
/// </summary>
/// <remarks>
/// <para>Runs of consecutive small parts (in store order, with no larger part between them) are cut
/// into groups of at least <c>rowsPerPart</c> rows each (less than twice that); the rest of a run waits for the next
/// compaction. A run also ends where parts with an Arrow twin meet parts without, so a merged part has
/// its twin exactly when all its parts have. Each row is therefore rewritten once: a merged part is never small again.</para>
/// <para>A merged part takes a number never used before (above every part's, and a stream's later
/// parts continue above it), so a reader that listed the old generation and opens a name later
/// through the link finds the file missing and fails, rather than reading rows twice. It records
/// the store-order place of the last part it replaced (<see cref="OrderKey"/>), so of a path stored
/// twice the newer row still comes last.</para>
/// <para>The merged files are written into the new generation with nothing held; only the listing
/// of the kept parts (hard links) and the swap happen inside <c>enterCommit</c>, which keeps a stream
/// from committing a part meanwhile, since the stream renames its parts through the link.</para>
/// <para>A complete sharded store (<see cref="ShardedStore"/>) is compacted by <c>store compact</c> only:
/// every part leaves its shard's name (<see cref="Plan"/>), since shards number their parts
/// each from 0 and a merged part belongs to no one shard. Its markers stay, so a late attempt of a
/// shard finds it committed and adds nothing.</para>
/// </remarks>
internal static class SmallPartCompaction
{
    /// <summary>Key-value metadata of a merged part: its place in store order.</summary>
    public const string OrderKey = "pipeline.part_order";

    /// <summary>A part's place in store order: its number, or for a merged part the place of the last part it replaced.</summary>
    public static long OrderOf(IReadOnlyDictionary<string, string> keyValues, int number) =>
        keyValues.TryGetValue(OrderKey, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var order)
            ? order
            : number;

    /// <summary>
    /// The groups of part indices (into <paramref name="store"/>'s parts) to merge: runs of
    /// consecutive small parts, each group of at least <paramref name="rowsPerPart"/> rows, while the
    /// small parts left at the end of a run stay as they are. With <paramref name="unshard"/> (a
    /// complete sharded store) every part takes part, so that every part leaves its shard's name: a
    /// part of at least <paramref name="rowsPerPart"/> rows is a group of its own (renamed, not
    /// rewritten), and the small parts left at the end of a run are a last, smaller group.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Plan(FeatureStoreReader store, int rowsPerPart, bool unshard = false)
    {
        var groups = new List<IReadOnlyList<int>>();
        var current = new List<int>();
        long rows = 0;
        void EndRun()
        {
            if (unshard && current.Count > 0)
            {
                groups.Add(current);
            }

            current = [];
            rows = 0;
        }

        for (var p = 0; p < store.PartFiles.Count; p++)
        {
            var partRows = store.PartRows(p);

            // A merged part has an Arrow twin when its parts have (featurize.arrow may have changed
            // between restarts): a group mixing both would gain or lose Arrow rows, so a run ends here.
            if (current.Count > 0 && (partRows >= rowsPerPart || HasArrowTwin(store, p) != HasArrowTwin(store, current[0])))
            {
                EndRun();
            }

            if (partRows >= rowsPerPart && !unshard)
            {
                continue;
            }

            current.Add(p);
            rows += partRows;
            if (rows >= rowsPerPart)
            {
                groups.Add(current);
                current = [];
                rows = 0;
            }
        }

        EndRun();
        return groups;
    }

    /// <summary>
    /// <c>pipeline store compact</c>: merges the small parts of a store no one is writing, taking its
    /// lock as a writer does, after adopting it into generations and deleting the retired generations
    /// older than <paramref name="grace"/>.
    /// </summary>
    /// <exception cref="IOException">Another process writes the store (named with its pid), or its filesystem cannot swap a folder for a link.</exception>
    /// <exception cref="InvalidDataException">The folder holds no feature parts, or they cannot be read, or it is a sharded store not yet complete (naming the shards missing).</exception>
    public static async Task<SmallPartCompactionResult> CompactStoreAsync(string storeDirectory, FeatureStoreOptions options, TimeSpan grace, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeDirectory);
        var root = Path.GetFullPath(storeDirectory);
        var parts = FeatureStoreLayout.FindParquetParts(FeatureStoreGenerations.ResolveFeatures(root));
        if (parts.Count == 0)
        {
            throw new InvalidDataException($"'{root}' is not a feature store: it has no features/part-*.parquet files.");
        }

        using var writing = FeatureStoreWriter.Lock(root);

        // Shards write without the store's lock, so only a complete sharded store is merged: once every
        // shard is committed and moved in, no shard process renames anything into features/ again (a
        // late attempt finds its marker and stops), and the lock keeps other compactions and writers out.
        var shards = ShardedStore.CountOf(root);
        if (shards is { } count)
        {
            ShardedStore.ThrowIfIncomplete(root, count);
        }

        if (!FeatureStoreGenerations.TryAdopt(root, withPredictions: false))
        {
            throw new IOException(
                $"The filesystem of '{root}' cannot swap a folder for a link (renameat2 RENAME_EXCHANGE, missing on NFS and SMB), so its parts cannot be merged without a reader seeing them half-way; featurize into a local filesystem.");
        }

        FeatureStoreGenerations.DeleteRetired(root, grace);
        var layout = await LayoutOfAsync(parts, options, ct).ConfigureAwait(false);
        var result = await CompactAsync(root, layout, enterCommit: null, reserveNumbers: null, ct, unshard: shards is not null).ConfigureAwait(false);
        return parts.Any(p => FeatureStoreLayout.ShardOf(p) is not null) ? result with { Shards = shards } : result;
    }

    /// <summary>
    /// <paramref name="options"/> with the codec of the newest part and the row-group size its parts were
    /// written with (the first row group of a part with several is full), so merged parts keep the
    /// store's layout: a Zstd store gets no Snappy parts. Options stay where no part shows them.
    /// </summary>
    private static async Task<FeatureStoreOptions> LayoutOfAsync(IReadOnlyList<string> parts, FeatureStoreOptions options, CancellationToken ct)
    {
        CompressionCodec? codec = null;
        long rowGroupSize = 0;
        foreach (var part in parts.Reverse())
        {
            try
            {
                var reader = await ParquetReader.CreateAsync(part, cancellationToken: ct).ConfigureAwait(false);
                await using var _ = reader.ConfigureAwait(false);
                if (reader.RowGroupCount > 0)
                {
                    using var first = reader.OpenRowGroupReader(0);
                    codec ??= first.GetMetadata(reader.Schema.DataFields[0])?.MetaData?.Codec;
                    if (reader.RowGroupCount > 1)
                    {
                        rowGroupSize = Math.Max(rowGroupSize, first.RowCount);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw new InvalidDataException($"Feature store part '{part}' cannot be read ({e.Message}); its small parts are not merged.", e);
            }
        }

        var compression = codec switch
        {
            CompressionCodec.UNCOMPRESSED => FeatureStoreCompression.None,
            CompressionCodec.SNAPPY => FeatureStoreCompression.Snappy,
            CompressionCodec.GZIP => FeatureStoreCompression.Gzip,
            CompressionCodec.ZSTD => FeatureStoreCompression.Zstd,
            CompressionCodec.LZ4_RAW => FeatureStoreCompression.Lz4,
            _ => options.Compression,
        };
        return options with
        {
            RowGroupSize = rowGroupSize > 0 ? (int)Math.Min(rowGroupSize, FeatureStoreOptions.MaxRowGroupSize) : options.RowGroupSize,
            Compression = compression,
        };
    }

    /// <summary>
    /// Merges the small parts of the store at <paramref name="root"/> (already adopted into generations)
    /// into a new generation and makes it the live one.
    /// </summary>
    /// <param name="root">The store's root, absolute.</param>
    /// <param name="options">The target rows per part and the row-group layout of merged parts.</param>
    /// <param name="enterCommit">Excludes part commits until disposed (a stream's writer); null when no one writes the store.</param>
    /// <param name="reserveNumbers">Takes that many part numbers from the writer's sequence, inside <paramref name="enterCommit"/>; null: above the highest in use.</param>
    /// <param name="ct">Observed between row groups; a cancelled compaction deletes its generation and leaves the store as it was.</param>
    /// <param name="unshard">
    /// A complete sharded store: every part named for its shard leaves that name, however many rows it
    /// holds (<see cref="Plan"/>), so the live generation holds unsharded parts only.
    /// </param>
    public static async Task<SmallPartCompactionResult> CompactAsync(
        string root,
        FeatureStoreOptions options,
        Func<CancellationToken, Task<IDisposable>>? enterCommit,
        Func<int, int>? reserveNumbers,
        CancellationToken ct,
        bool unshard = false)
    {
        if (FeatureStoreLayout.FindParquetParts(FeatureStoreGenerations.ResolveFeatures(root)).Count == 0)
        {
            return new SmallPartCompactionResult(0, 0, 0, 0);
        }

        var store = await FeatureStoreReader.OpenAsync(root, ct).ConfigureAwait(false);
        var sharded = store.PartFiles.Any(p => FeatureStoreLayout.ShardOf(p) is not null);
        if (sharded && !unshard)
        {
            // A stream's store: shards number their parts each from 0, so a merged part has no name of its own among them.
            throw new InvalidDataException($"'{root}' is a sharded store; its parts are merged only by store compact, once every shard is committed.");
        }

        var groups = Plan(store, options.RowsPerPart, unshard: sharded);
        var smallRows = Enumerable.Range(0, store.PartFiles.Count).Select(store.PartRows).Where(r => r < options.RowsPerPart).Sum();
        var mergedRows = groups.SelectMany(g => g).Where(p => store.PartRows(p) < options.RowsPerPart).Sum(store.PartRows);
        if (groups.Count == 0)
        {
            return new SmallPartCompactionResult(0, 0, 0, smallRows);
        }

        int first;
        using (enterCommit is null ? null : await enterCommit(ct).ConfigureAwait(false))
        {
            first = reserveNumbers?.Invoke(groups.Count) ?? NextUnusedNumber(store);
        }

        var generation = FeatureStoreGenerations.Begin(root);
        try
        {
            var replaced = new HashSet<string>(StringComparer.Ordinal);
            var livePredictions = Path.Combine(Path.GetDirectoryName(store.FeaturesDirectory)!, FeatureStoreGenerations.PredictionsFolder);
            var predictions = Path.Combine(generation, FeatureStoreGenerations.PredictionsFolder);
            var hasPredictions = Directory.Exists(predictions);
            long rows = 0;
            for (var g = 0; g < groups.Count; g++)
            {
                var number = first + g;
                rows += groups[g].Count == 1
                    ? LinkUnderNewNumber(store, groups[g][0], Path.Combine(generation, "features"), number)
                    : await MergeFeaturesAsync(store, groups[g], Path.Combine(generation, "features"), number, options, keepOrder: !sharded, ct).ConfigureAwait(false);
                var names = groups[g].Select(p => Path.GetFileName(store.PartFiles[p])).ToArray();
                if (hasPredictions)
                {
                    var sources = names.Select(n => Path.Combine(livePredictions, n)).ToArray();
                    if (sources.FirstOrDefault(s => !File.Exists(s)) is { } missing)
                    {
                        throw new InvalidDataException($"Predictions part '{missing}' is missing although its feature part exists; the store's predictions cannot be merged.");
                    }

                    await ParquetConcatenation.WriteAsync(
                        sources, Path.Combine(predictions, FeatureStoreLayout.PartFileName(number, FeatureStoreLayout.ParquetExtension)), ct).ConfigureAwait(false);
                }

                foreach (var name in names)
                {
                    replaced.Add(name);
                    replaced.Add(Path.ChangeExtension(name, FeatureStoreLayout.ArrowExtension));
                }
            }

            using (enterCommit is null ? null : await enterCommit(ct).ConfigureAwait(false))
            {
                FeatureStoreGenerations.LinkKept(root, generation, replaced);
                FeatureStoreGenerations.Publish(root, generation);
            }

            return new SmallPartCompactionResult(groups.Sum(g => g.Count), groups.Count, rows, Math.Max(0, smallRows - mergedRows));
        }
        catch when (!string.Equals(FeatureStoreGenerations.Live(root), generation, StringComparison.Ordinal))
        {
            Directory.Delete(generation, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A part (and its Arrow twin) given a new number in <paramref name="features"/> by a hard link: its
    /// rows need no rewrite, and the new name is one no reader has listed. Returns its rows.
    /// </summary>
    private static long LinkUnderNewNumber(FeatureStoreReader store, int part, string features, int number)
    {
        var file = store.PartFiles[part];
        if (HasArrowTwin(store, part))
        {
            HardLink.Create(Path.ChangeExtension(file, FeatureStoreLayout.ArrowExtension), Path.Combine(features, FeatureStoreLayout.PartFileName(number, FeatureStoreLayout.ArrowExtension)));
        }

        HardLink.Create(file, Path.Combine(features, FeatureStoreLayout.PartFileName(number, FeatureStoreLayout.ParquetExtension)));
        return store.PartRows(part);
    }

    private static async Task<long> MergeFeaturesAsync(
        FeatureStoreReader store, IReadOnlyList<int> group, string features, int number, FeatureStoreOptions options, bool keepOrder, CancellationToken ct)
    {
        var metadata = store.Metadata;
        var dimension = metadata.Dimension;
        var capacity = Math.Min(options.RowGroupSize, options.RowsPerPart);
        var buffer = new FeatureRowGroup(capacity, dimension);
        var keyValues = FeatureStoreKeyValues.ToKeyValues(metadata);
        if (keepOrder)
        {
            keyValues[OrderKey] = store.PartOrder[group[^1]].ToString(CultureInfo.InvariantCulture);
        }

        var withArrow = HasArrowTwin(store, group[0]);
        var part = await FeatureStorePart.OpenAsync(
            features, number, keyValues, options.ToParquetOptions(), withArrow, dimension, capacity, replace: false, ct).ConfigureAwait(false);
        await using (part.ConfigureAwait(false))
        {
            foreach (var p in group)
            {
                await foreach (var (records, values) in store.ReadRowGroupsAsync(p, ct).ConfigureAwait(false))
                {
                    var offset = 0;
                    while (offset < records.Length)
                    {
                        var take = Math.Min(records.Length - offset, buffer.Capacity - buffer.Count);
                        buffer.Append(records.Span.Slice(offset, take), values.Span.Slice(offset * dimension, take * dimension));
                        offset += take;
                        if (buffer.IsFull)
                        {
                            await part.WriteAsync(buffer, ct).ConfigureAwait(false);
                            buffer.Clear();
                        }
                    }
                }
            }

            if (buffer.Count > 0)
            {
                await part.WriteAsync(buffer, ct).ConfigureAwait(false);
            }

            await part.CloseAsync(beforeRename: null, ct).ConfigureAwait(false);
            return part.Rows;
        }
    }

    private static bool HasArrowTwin(FeatureStoreReader store, int part) =>
        File.Exists(Path.ChangeExtension(store.PartFiles[part], FeatureStoreLayout.ArrowExtension));

    /// <summary>Above every part number of the live generation, features and predictions alike.</summary>
    private static int NextUnusedNumber(FeatureStoreReader store)
    {
        var predictions = Path.Combine(Path.GetDirectoryName(store.FeaturesDirectory)!, FeatureStoreGenerations.PredictionsFolder);
        var highest = store.PartNumbers.Concat(FeatureStoreLayout.FindParts(predictions, FeatureStoreLayout.ParquetExtension).Select(p => p.Number)).Max();
        return highest + 1;
    }
}
