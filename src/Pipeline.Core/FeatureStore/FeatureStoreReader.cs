using System.Buffers;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Meta.Proto;
using Parquet.Schema;
using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// Reads a store written by <see cref="FeatureStoreWriter"/>: its complete parts (temporary files are
/// never listed), checked on open to share one featurizer, read column by column.
/// </summary>
public sealed class FeatureStoreReader
{
    // Column positions in FeatureStoreSchema, which every part is checked to have.
    private const int PathColumn = 0;
    private const int LabelColumn = 1;
    private const int LabelIndexColumn = 2;
    private const int FeatureColumn = 3;
    private const int WidthColumn = 4;
    private const int HeightColumn = 5;
    private const int FileBytesColumn = 6;
    private const int FileModifiedColumn = 7;

    /// <summary>Reads of a plain features folder before one that no adoption or compaction overtook is returned as it is.</summary>
    private const int MaxOpenAttempts = 3;

    private readonly long[] _partRows;

    private FeatureStoreReader(
        string storeDirectory, string featuresDirectory, FeatureStoreMetadata metadata, IReadOnlyList<string> partFiles, long[] partRows, int[] partNumbers, long[] partOrder)
    {
        StoreDirectory = storeDirectory;
        FeaturesDirectory = featuresDirectory;
        Metadata = metadata;
        PartFiles = partFiles;
        _partRows = partRows;
        PartNumbers = partNumbers;
        PartOrder = partOrder;
    }

    /// <summary>The store's root (absolute).</summary>
    public string StoreDirectory { get; }

    /// <summary>The folder holding the parts.</summary>
    public string FeaturesDirectory { get; }

    /// <summary>The first part's metadata; every other part matches it except for the timestamp.</summary>
    public FeatureStoreMetadata Metadata { get; }

    /// <summary>
    /// Complete Parquet parts in store order: part-number order, except that a merged part takes the
    /// place of the last part it replaced.
    /// </summary>
    public IReadOnlyList<string> PartFiles { get; }

    /// <summary>The number in each of <see cref="PartFiles"/>' names.</summary>
    internal IReadOnlyList<int> PartNumbers { get; }

    /// <summary>Each part's place in the store order (<see cref="SmallPartCompaction.OrderOf"/>).</summary>
    internal IReadOnlyList<long> PartOrder { get; }

    /// <summary>Rows of part <paramref name="part"/>, from its footer.</summary>
    internal long PartRows(int part) => _partRows[part];

    /// <summary>Rows over all parts, from the footers.</summary>
    public long Count => _partRows.Sum();

    /// <summary>Whether the run that wrote the store finished (<c>features/_SUCCESS</c> exists).</summary>
    public bool IsComplete => File.Exists(Path.Combine(FeaturesDirectory, FeatureStoreLayout.SuccessMarker));

    /// <summary>
    /// Refuses a store whose featurize run did not finish: its parts hold only the images done
    /// before the stop (some classes may have no row at all) and may still hold rows of images
    /// no longer in the source, which only a completed run compacts away.
    /// </summary>
    /// <exception cref="InvalidDataException">There is no <c>_SUCCESS</c> marker; the message names the store.</exception>
    internal void ThrowIfIncomplete()
    {
        if (!IsComplete && ShardedStore.CountOf(StoreDirectory) is { } shards)
        {
            var waiting = ShardedStore.Uncommitted(StoreDirectory, shards);
            throw new InvalidDataException(waiting.Count == 0
                ? $"Feature store '{StoreDirectory}' is incomplete: every one of its {shards} shards committed but {FeatureStoreLayout.SuccessMarker} is missing; run any shard again to finish it."
                : $"Feature store '{StoreDirectory}' is incomplete: {(waiting.Count == 1 ? "shard" : "shards")} {string.Join(", ", waiting.Take(5))}{(waiting.Count > 5 ? ", …" : string.Empty)} of its {shards} {(waiting.Count == 1 ? "has" : "have")} not committed; run {(waiting.Count == 1 ? "it" : "them")} to complete it.");
        }

        if (!IsComplete)
        {
            throw new InvalidDataException(
                $"Feature store '{StoreDirectory}' is incomplete: '{FeaturesDirectory}' has no {FeatureStoreLayout.SuccessMarker} marker, so the featurize run that wrote it was interrupted; run the same featurize again to complete it.");
        }
    }

    /// <summary>
    /// Opens the store at <paramref name="storeDirectory"/> (the writer's output directory; its
    /// <c>features</c> folder itself is accepted too) and reads every part's footer.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="InvalidDataException">No parts, or a part that is not a feature part or comes from another featurizer; the message names the part (and, for another featurizer, every key that differs).</exception>
    public static async Task<FeatureStoreReader> OpenAsync(string storeDirectory, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(storeDirectory);
        var root = Path.GetFullPath(storeDirectory);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Feature store directory '{root}' does not exist.");
        }

        // A plain features folder can be adopted into generations and compacted while its footers are
        // read (store compact, a stream's first start): its paths then lead through the new link to
        // another generation, which lacks merged parts. A generation's own folder stays whole for the
        // grace period, so only a plain folder's read is checked, and read again from what features
        // names by then.
        for (var attempt = 1; ; attempt++)
        {
            var (features, plain) = ResolveOnce(root);
            try
            {
                var reader = await OpenResolvedAsync(root, features, ct).ConfigureAwait(false);
                if (!plain || attempt == MaxOpenAttempts || ResolveOnce(root).Features == features)
                {
                    return reader;
                }
            }
            catch (InvalidDataException e) when (e.InnerException is FileNotFoundException && attempt < MaxOpenAttempts && ResolveOnce(root).Features != features)
            {
            }
        }
    }

    /// <summary>
    /// The folder whose parts a read lists and opens, resolved once (every part is of one generation,
    /// <see cref="FeatureStoreGenerations"/>), and whether it is a plain folder rather than a generation's.
    /// </summary>
    private static (string Features, bool Plain) ResolveOnce(string root)
    {
        if (FeatureStoreGenerations.Live(root) is not null)
        {
            return (FeatureStoreGenerations.ResolveFeatures(root), false);
        }

        var features = FeatureStoreGenerations.ResolveFeatures(root);
        if (!Directory.Exists(features) && FeatureStoreLayout.FindParquetParts(root).Count > 0)
        {
            // The features folder named itself: the link, when it is one, resolved once as well.
            var target = Directory.ResolveLinkTarget(root, returnFinalTarget: true)?.FullName;
            return (target ?? root, target is null);
        }

        return (features, true);
    }

    private static async Task<FeatureStoreReader> OpenResolvedAsync(string root, string features, CancellationToken ct)
    {
        var found = FeatureStoreLayout.FindParts(features, FeatureStoreLayout.ParquetExtension);
        var parts = found.Select(p => p.Path).ToArray();
        if (parts.Length == 0)
        {
            throw new InvalidDataException($"Feature store '{root}' has no parts: no part-*.parquet files in '{features}'.");
        }

        FeatureStoreMetadata? first = null;
        var rows = new long[parts.Length];
        var order = new long[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            var reader = await OpenPartAsync(parts[i], ct).ConfigureAwait(false);
            await using var _ = reader.ConfigureAwait(false);
            var metadata = FeatureStoreKeyValues.Parse(reader.CustomMetadata, parts[i]);
            first ??= metadata;
            FeaturizerMismatch.ThrowIfDifferent(
                first, metadata, FeaturizerMatch.Store, $"Feature store part '{parts[i]}'", $"'{parts[0]}'", "the store mixes featurizers, so featurize it again into an empty folder");

            rows[i] = reader.RowGroups.Sum(g => g.RowCount);
            order[i] = SmallPartCompaction.OrderOf(reader.CustomMetadata, found[i].Number);
        }

        // A merged part takes a new number but the place of the parts it replaced, so that of a path
        // stored twice the newer row still comes last (see InPathOrder).
        var byOrder = Enumerable.Range(0, parts.Length).OrderBy(i => order[i]).ThenBy(i => found[i].Number).ToArray();
        return new FeatureStoreReader(
            root,
            features,
            first!,
            byOrder.Select(i => parts[i]).ToArray(),
            byOrder.Select(i => rows[i]).ToArray(),
            byOrder.Select(i => found[i].Number).ToArray(),
            byOrder.Select(i => order[i]).ToArray());
    }

    /// <summary>
    /// Every row's key columns without its features, part by part: what a resumed run needs to skip
    /// images already featurized (path plus file size and modification time).
    /// </summary>
    public async IAsyncEnumerable<FeatureRecord> ReadRecordsAsync([EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var p = 0; p < PartFiles.Count; p++)
        {
            await foreach (var record in ReadRecordsAsync(p, ct).ConfigureAwait(false))
            {
                yield return record;
            }
        }
    }

    /// <summary>The key columns of part <paramref name="part"/> (an index into <see cref="PartFiles"/>), in row order.</summary>
    internal async IAsyncEnumerable<FeatureRecord> ReadRecordsAsync(int part, [EnumeratorCancellation] CancellationToken ct = default)
    {
        var file = PartFiles[part];
        var paths = Array.Empty<string?>();
        var labels = Array.Empty<string?>();
        var labelIndices = Array.Empty<int>();
        var widths = Array.Empty<int>();
        var heights = Array.Empty<int>();
        var fileBytes = Array.Empty<long>();
        var fileModified = Array.Empty<long>();
        var reader = await OpenPartAsync(file, ct).ConfigureAwait(false);
        await using var _ = reader.ConfigureAwait(false);
        var fields = reader.Schema.DataFields;
        foreach (var group in reader.RowGroups)
        {
            var n = checked((int)group.RowCount);
            if (paths.Length < n)
            {
                paths = new string?[n];
                labels = new string?[n];
                labelIndices = new int[n];
                widths = new int[n];
                heights = new int[n];
                fileBytes = new long[n];
                fileModified = new long[n];
            }

            await ReadColumnAsync(group, fields[PathColumn], paths.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[LabelColumn], labels.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[LabelIndexColumn], labelIndices.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[WidthColumn], widths.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[HeightColumn], heights.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[FileBytesColumn], fileBytes.AsMemory(0, n), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[FileModifiedColumn], fileModified.AsMemory(0, n), file, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                yield return new FeatureRecord(paths[i]!, labels[i]!, labelIndices[i], widths[i], heights[i], fileBytes[i], fileModified[i]);
            }
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> with its features, one row group at a time (the buffers are
    /// reused by the next group): what compaction needs to copy a part's rows without holding the
    /// part in memory. Labels and feature lengths are checked as <see cref="ReadAllAsync"/> does.
    /// </summary>
    internal async IAsyncEnumerable<(ReadOnlyMemory<FeatureRecord> Records, ReadOnlyMemory<float> Features)> ReadRowGroupsAsync(
        int part,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        var file = PartFiles[part];
        var classes = ClassList.FromLabels(Metadata.Classes);
        var dimension = Metadata.Dimension;
        var records = Array.Empty<FeatureRecord>();
        var features = Array.Empty<float>();
        var partRow = 0L;
        using var levels = new FeatureLevels();
        var reader = await OpenPartAsync(file, ct).ConfigureAwait(false);
        await using var _ = reader.ConfigureAwait(false);
        var fields = reader.Schema.DataFields;
        foreach (var group in reader.RowGroups)
        {
            var n = checked((int)group.RowCount);
            if (records.Length < n)
            {
                records = new FeatureRecord[n];
                features = GC.AllocateUninitializedArray<float>(checked(n * dimension));
            }

            var paths = new string[n];
            var labels = new string[n];
            var labelIndices = new int[n];
            var widths = new int[n];
            var heights = new int[n];
            var fileBytes = new long[n];
            var fileModified = new long[n];
            await ReadColumnAsync(group, fields[PathColumn], paths.AsMemory<string?>(), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[LabelColumn], labels.AsMemory<string?>(), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[LabelIndexColumn], labelIndices.AsMemory(), file, ct).ConfigureAwait(false);
            CheckLabels(file, partRow, classes, labelIndices, labels);
            await levels.ReadAsync(group, fields[FeatureColumn], features.AsMemory(0, n * dimension), dimension, file, partRow, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[WidthColumn], widths.AsMemory(), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[HeightColumn], heights.AsMemory(), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[FileBytesColumn], fileBytes.AsMemory(), file, ct).ConfigureAwait(false);
            await ReadColumnAsync(group, fields[FileModifiedColumn], fileModified.AsMemory(), file, ct).ConfigureAwait(false);
            for (var i = 0; i < n; i++)
            {
                records[i] = new FeatureRecord(paths[i], labels[i], labelIndices[i], widths[i], heights[i], fileBytes[i], fileModified[i]);
            }

            partRow += n;
            yield return (records.AsMemory(0, n), features.AsMemory(0, n * dimension));
        }
    }

    /// <summary>
    /// Reads every row into one <see cref="FeatureSet"/>. Feature values are decoded straight into
    /// the flat matrix; each row is checked to hold exactly <see cref="FeatureStoreMetadata.Dimension"/>
    /// values and a label that matches its index. NaN and infinities are left to training.
    /// </summary>
    /// <exception cref="InvalidDataException">The store has no rows, is too large for one array, or a row is malformed; the message names the part and row.</exception>
    public async Task<FeatureSet> ReadAllAsync(CancellationToken ct = default)
    {
        var total = Count;
        var dimension = Metadata.Dimension;
        if (total == 0)
        {
            throw new InvalidDataException($"Feature store '{StoreDirectory}' has parts but no rows.");
        }

        if (total * dimension > Array.MaxLength)
        {
            throw new InvalidDataException($"Feature store '{StoreDirectory}' holds {total} × {dimension} features, more than one array can hold ({Array.MaxLength}).");
        }

        var classes = ClassList.FromLabels(Metadata.Classes);
        if (!classes.Names.SequenceEqual(Metadata.Classes, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Feature store part '{PartFiles[0]}' lists classes that are not distinct and in ordinal order, so label indices cannot be trusted.");
        }

        var count = (int)total;
        var features = GC.AllocateUninitializedArray<float>(count * dimension);
        var labelIndices = new int[count];
        var paths = new string[count];
        var labels = new string[count];
        var levels = new FeatureLevels();
        try
        {
            var row = 0;
            for (var p = 0; p < PartFiles.Count; p++)
            {
                var part = PartFiles[p];
                var reader = await OpenPartAsync(part, ct).ConfigureAwait(false);
                await using var _ = reader.ConfigureAwait(false);
                var fields = reader.Schema.DataFields;
                var partRow = 0L;
                foreach (var group in reader.RowGroups)
                {
                    var n = checked((int)group.RowCount);
                    if (row + (long)n > count)
                    {
                        throw new InvalidDataException($"Feature store part '{part}' changed while it was being read.");
                    }

                    await ReadColumnAsync(group, fields[PathColumn], paths.AsMemory<string?>(row, n), part, ct).ConfigureAwait(false);
                    await ReadColumnAsync(group, fields[LabelColumn], labels.AsMemory<string?>(row, n), part, ct).ConfigureAwait(false);
                    await ReadColumnAsync(group, fields[LabelIndexColumn], labelIndices.AsMemory(row, n), part, ct).ConfigureAwait(false);
                    CheckLabels(part, partRow, classes, labelIndices.AsSpan(row, n), labels.AsSpan(row, n));
                    await levels.ReadAsync(group, fields[FeatureColumn], features.AsMemory(row * dimension, n * dimension), dimension, part, partRow, ct).ConfigureAwait(false);
                    row += n;
                    partRow += n;
                }

                // The arrays were sized from the footers read at open: a part rewritten since with
                // fewer rows would leave rows without a path or features at the end of the set.
                if (partRow != _partRows[p])
                {
                    throw new InvalidDataException($"Feature store part '{part}' changed while it was being read.");
                }
            }

            return InPathOrder(new FeatureSet(Metadata, classes, features, labelIndices, paths, labels));
        }
        finally
        {
            levels.Dispose();
        }
    }

    /// <summary>
    /// The rows in path order, one per path. Parts hold rows in the order images finished
    /// decoding, which varies from run to run and with resumes, so without this a seeded split
    /// would not be reproducible. A path stored twice (its file changed and was featurized
    /// again) keeps the newer row, from the higher-numbered part.
    /// </summary>
    private static FeatureSet InPathOrder(FeatureSet set)
    {
        var order = Enumerable.Range(0, set.Count).ToArray();
        var paths = set.Paths;
        Array.Sort(order, (a, b) => string.CompareOrdinal(paths[a], paths[b]) is var byPath and not 0 ? byPath : a.CompareTo(b));
        var kept = new List<int>(order.Length);
        for (var i = 0; i < order.Length; i++)
        {
            var isLastOfPath = i + 1 == order.Length || !string.Equals(paths[order[i]], paths[order[i + 1]], StringComparison.Ordinal);
            if (isLastOfPath)
            {
                kept.Add(order[i]);
            }
        }

        var alreadyOrdered = kept.Count == set.Count && kept.Select((row, i) => row == i).All(same => same);
        return alreadyOrdered ? set : set.Subset([.. kept]);
    }

    /// <summary>
    /// Reads one column of a row group. Parquet.Net reports a damaged page (a garbled page header,
    /// compressed bytes that do not decompress, a length past the chunk) with exceptions of many
    /// types and without the file's name, so any failure of the read itself, other than a
    /// cancellation, is reported as the part's.
    /// </summary>
    private static async Task ReadColumnAsync<T>(ParquetRowGroupReader group, DataField field, Memory<T> values, string part, CancellationToken ct)
        where T : struct
    {
        try
        {
            await group.ReadAsync(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Damaged(part, field, e);
        }
    }

    /// <summary>The string columns' counterpart of the overload above.</summary>
    private static async Task ReadColumnAsync(ParquetRowGroupReader group, DataField field, Memory<string?> values, string part, CancellationToken ct)
    {
        try
        {
            await group.ReadAsync(field, values, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw Damaged(part, field, e);
        }
    }

    private static InvalidDataException Damaged(string part, DataField field, Exception e) =>
        new($"Feature store part '{part}' is damaged: its '{field.Path}' column cannot be decoded ({e.Message}); delete the part and run featurize again to re-create its rows.", e);

    internal static async Task<ParquetReader> OpenPartAsync(string part, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(part, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or ThriftProtocolException)
        {
            // A corrupt footer surfaces as ThriftProtocolException, which is not a ParquetException.
            throw new InvalidDataException($"Feature store part '{part}' cannot be read as Parquet ({e.Message}).", e);
        }

        if (!reader.Schema.Equals(FeatureStoreSchema.Schema))
        {
            var reason = reader.Schema.GetNotEqualsMessage(FeatureStoreSchema.Schema, "part", "feature store");
            await reader.DisposeAsync().ConfigureAwait(false);
            throw new InvalidDataException($"Feature store part '{part}' does not have the feature store schema ({reason}).");
        }

        return reader;
    }

    /// <summary>Checks each label against its index and swaps in the class list's string, so a big set holds one string per class, not per row.</summary>
    private static void CheckLabels(string part, long partRow, ClassList classes, ReadOnlySpan<int> labelIndices, Span<string> labels)
    {
        for (var i = 0; i < labels.Length; i++)
        {
            var index = labelIndices[i];
            if ((uint)index >= (uint)classes.Count)
            {
                throw new InvalidDataException($"Feature store part '{part}' row {partRow + i} has label_index {index}, outside the {classes.Count} classes of its metadata.");
            }

            var name = classes.Names[index];
            if (!string.Equals(labels[i], name, StringComparison.Ordinal))
            {
                throw new InvalidDataException($"Feature store part '{part}' row {partRow + i} has label '{labels[i]}' but label_index {index}, which is class '{name}'.");
            }

            labels[i] = name;
        }
    }

    /// <summary>
    /// Reads a row group's <c>features</c> column into the caller's slice of the flat matrix, using
    /// level buffers rented once for the whole read, and proves from the Dremel levels that every
    /// row is a list of exactly the store's dimension.
    /// </summary>
    private sealed class FeatureLevels : IDisposable
    {
        private int[] _definition = [];
        private int[] _repetition = [];
        private float[] _scratch = [];

        public async Task ReadAsync(ParquetRowGroupReader group, DataField field, Memory<float> destination, int dimension, string part, long partRow, CancellationToken ct)
        {
            var values = destination.Length;
            var stored = group.GetMetadata(field)?.MetaData?.NumValues
                ?? throw new InvalidDataException($"Feature store part '{part}' has a row group without a features column chunk.");
            if (stored > Array.MaxLength)
            {
                throw new InvalidDataException($"Feature store part '{part}' has a row group with {stored} feature values, more than one array can hold.");
            }

            var levels = (int)stored;
            Rent(ref _definition, levels);
            Rent(ref _repetition, levels);
            var definition = _definition.AsMemory(0, levels);
            var repetition = _repetition.AsMemory(0, levels);
            if (levels == values)
            {
                await ReadRawAsync(group, field, destination, definition, repetition, part, ct).ConfigureAwait(false);
                if (IsDense(definition.Span, repetition.Span, dimension, field.MaxDefinitionLevel))
                {
                    return;
                }
            }
            else
            {
                // The row group cannot be dense; read it aside only to name the offending row.
                Rent(ref _scratch, levels);
                await ReadRawAsync(group, field, _scratch.AsMemory(0, levels), definition, repetition, part, ct).ConfigureAwait(false);
            }

            var (row, length) = FirstWrongRow(definition.Span, repetition.Span, dimension, field.MaxDefinitionLevel);
            throw new InvalidDataException($"Feature store part '{part}' row {partRow + row} has {length} feature values, but the store's dimension is {dimension}.");
        }

        /// <summary>The levels' counterpart of <see cref="ReadColumnAsync"/>: a damaged page is reported as the part's.</summary>
        private static async Task ReadRawAsync(
            ParquetRowGroupReader group, DataField field, Memory<float> values, Memory<int> definition, Memory<int> repetition, string part, CancellationToken ct)
        {
            try
            {
                await group.ReadRawAsync(field, values, definition, repetition, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                throw Damaged(part, field, e);
            }
        }

        public void Dispose()
        {
            Return(_definition);
            Return(_repetition);
            Return(_scratch);
        }

        /// <summary>Every value present, and a new row (repetition 0) exactly every <paramref name="dimension"/> values.</summary>
        private static bool IsDense(ReadOnlySpan<int> definition, ReadOnlySpan<int> repetition, int dimension, int maxDefinition)
        {
            if (definition.IndexOfAnyExcept(maxDefinition) >= 0)
            {
                return false;
            }

            for (var start = 0; start < repetition.Length; start += dimension)
            {
                if (repetition[start] != 0 || repetition.Slice(start + 1, dimension - 1).IndexOfAnyExcept(1) >= 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static (long Row, int Length) FirstWrongRow(ReadOnlySpan<int> definition, ReadOnlySpan<int> repetition, int dimension, int maxDefinition)
        {
            var row = -1L;
            var length = 0;
            for (var i = 0; i < repetition.Length; i++)
            {
                if (repetition[i] == 0)
                {
                    if (row >= 0 && length != dimension)
                    {
                        return (row, length);
                    }

                    row++;
                    length = 0;
                }

                if (definition[i] == maxDefinition)
                {
                    length++;
                }
            }

            return (Math.Max(row, 0), length);
        }

        private static void Rent<T>(ref T[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                Return(buffer);
                buffer = ArrayPool<T>.Shared.Rent(length);
            }
        }

        private static void Return<T>(T[] buffer)
        {
            if (buffer.Length > 0)
            {
                ArrayPool<T>.Shared.Return(buffer);
            }
        }
    }
}
