using System.Globalization;

namespace Pipeline.FeatureStore;

/// <summary>
/// Rewrites a store's parts without their stale rows: those of images a completed run no longer
/// found in its source, or found changed (another file stamp), so that the store holds one row
/// per image the source holds now and does not grow with every edit of the data set. A row whose
/// image only changed label is kept with the new label, so a relabel costs no inference.
/// </summary>
/// <remarks>
/// Part by part: the key columns are read first, and only a part with a row to drop or relabel
/// is read whole and rewritten, one row group at a time, under a temporary name that is then
/// renamed over it (its Arrow twin first, as for a new part). A reader therefore sees each part
/// either before or after, never a row twice, and a crash part-way leaves parts that are each
/// complete: the next completed run finds the rows still stale and compacts again. A crash between
/// the twin's rename and the part's is finished by the next writer before it reads the store
/// (<see cref="FeatureStorePart.FinishInterruptedCloses"/>), so the twins never disagree. A part left
/// without rows is deleted, Parquet first, so that at worst an orphan Arrow file remains, which
/// the next writer deletes.
/// </remarks>
internal static class FeatureStoreCompaction
{
    /// <summary>
    /// Compacts every part of <paramref name="store"/> (opened before the run wrote its own parts,
    /// which hold current rows only).
    /// </summary>
    /// <param name="store">The store's parts as they were before this run.</param>
    /// <param name="labelIndexOf">
    /// For each stored row, called once and in store order: the class index the row must carry,
    /// or -1 when the row is stale.
    /// </param>
    /// <param name="options">The layout of rewritten parts (row groups, compression).</param>
    /// <param name="ct">Observed between row groups; a compaction stopped part-way is resumed by the next completed run.</param>
    /// <exception cref="InvalidDataException">A part cannot be read, or changed while it was being compacted; the message names it.</exception>
    public static async Task<FeatureStoreCompactionResult> CompactAsync(
        FeatureStoreReader store,
        Func<FeatureRecord, int> labelIndexOf,
        FeatureStoreOptions options,
        CancellationToken ct)
    {
        var numbers = FeatureStoreLayout.FindParts(store.FeaturesDirectory, FeatureStoreLayout.ParquetExtension)
            .ToDictionary(p => p.Path, p => p.Number, StringComparer.Ordinal);
        long removed = 0;
        long relabelled = 0;
        var partsRewritten = 0;
        var decisions = new List<int>();
        for (var p = 0; p < store.PartFiles.Count; p++)
        {
            decisions.Clear();
            var keep = 0;
            var changed = false;
            await foreach (var record in store.ReadRecordsAsync(p, ct).ConfigureAwait(false))
            {
                var labelIndex = labelIndexOf(record);
                decisions.Add(labelIndex);
                if (labelIndex < 0)
                {
                    removed++;
                    changed = true;
                    continue;
                }

                keep++;
                if (labelIndex != record.LabelIndex)
                {
                    relabelled++;
                    changed = true;
                }
            }

            if (!changed)
            {
                continue;
            }

            var part = store.PartFiles[p];
            if (keep == 0)
            {
                File.Delete(part);
                File.Delete(Path.ChangeExtension(part, FeatureStoreLayout.ArrowExtension));
            }
            else
            {
                await RewriteAsync(store, p, numbers[part], decisions, options, ct).ConfigureAwait(false);
            }

            partsRewritten++;
        }

        return new FeatureStoreCompactionResult(removed, relabelled, partsRewritten);
    }

    private static async Task RewriteAsync(FeatureStoreReader store, int p, int number, List<int> decisions, FeatureStoreOptions options, CancellationToken ct)
    {
        var file = store.PartFiles[p];
        var metadata = store.Metadata;
        var dimension = metadata.Dimension;
        var capacity = Math.Min(options.RowGroupSize, options.RowsPerPart);
        var group = new FeatureRowGroup(capacity, dimension);
        var hasArrowTwin = File.Exists(Path.ChangeExtension(file, FeatureStoreLayout.ArrowExtension));
        var keyValues = FeatureStoreKeyValues.ToKeyValues(metadata);
        if (store.PartOrder[p] != number)
        {
            // A merged part keeps its place in store order, so of a path stored twice the newer row still comes last.
            keyValues[SmallPartCompaction.OrderKey] = store.PartOrder[p].ToString(CultureInfo.InvariantCulture);
        }

        var part = await FeatureStorePart.OpenAsync(
            store.FeaturesDirectory,
            number,
            keyValues,
            options.ToParquetOptions(),
            hasArrowTwin,
            dimension,
            capacity,
            replace: true,
            ct).ConfigureAwait(false);
        await using (part)
        {
            var row = 0;
            await foreach (var (records, features) in store.ReadRowGroupsAsync(p, ct).ConfigureAwait(false))
            {
                if (row + records.Length > decisions.Count)
                {
                    throw ChangedWhileCompacting(file);
                }

                for (var i = 0; i < records.Length; i++)
                {
                    var labelIndex = decisions[row++];
                    if (labelIndex < 0)
                    {
                        continue;
                    }

                    var record = records.Span[i];
                    if (labelIndex != record.LabelIndex)
                    {
                        record = record with { Label = metadata.Classes[labelIndex], LabelIndex = labelIndex };
                    }

                    group.Append(new ReadOnlySpan<FeatureRecord>(in record), features.Span.Slice(i * dimension, dimension));
                    if (group.IsFull)
                    {
                        await part.WriteAsync(group, ct).ConfigureAwait(false);
                        group.Clear();
                    }
                }
            }

            if (row != decisions.Count)
            {
                throw ChangedWhileCompacting(file);
            }

            if (group.Count > 0)
            {
                await part.WriteAsync(group, ct).ConfigureAwait(false);
            }

            await part.CloseAsync(beforeRename: null, ct).ConfigureAwait(false);
        }
    }

    private static InvalidDataException ChangedWhileCompacting(string part) =>
        new($"Feature store part '{part}' changed while it was being compacted.");
}
