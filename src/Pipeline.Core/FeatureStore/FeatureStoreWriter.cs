using System.Diagnostics;
using Parquet;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// Streams feature rows into <c>&lt;out&gt;/features/part-NNNNN.parquet</c> (and optionally
/// <c>.arrow</c>) and marks the store complete with <c>features/_SUCCESS</c>.
/// </summary>
/// <remarks>
/// A part becomes visible only when closed (temporary name, flush to disk, atomic rename), and parts
/// roll every <see cref="FeatureStoreOptions.RowsPerPart"/> rows or
/// <see cref="FeatureStoreOptions.PartInterval"/>, so a killed run leaves complete parts holding all
/// but its last minute of rows, and a later run can resume after them: <see cref="CreateAsync"/>
/// keeps existing parts, continues their numbering and deletes what a killed run left half-written.
/// Not thread-safe: one writer is fed by one consumer.
/// </remarks>
internal sealed class FeatureStoreWriter : IAsyncDisposable
{
    private readonly string _featuresDirectory;
    private readonly FeatureStoreOptions _options;
    private readonly IReadOnlyDictionary<string, string> _keyValues;
    private readonly ParquetOptions _parquetOptions;
    private readonly FeatureRowGroup _group;
    private readonly long _partIntervalTicks;
    private FeatureStorePart? _part;
    private int _nextPartNumber;
    private bool _faulted;
    private bool _completed;
    private bool _disposed;

    private FeatureStoreWriter(string outputDirectory, FeatureStoreMetadata metadata, FeatureStoreOptions options, int nextPartNumber)
    {
        OutputDirectory = outputDirectory;
        Metadata = metadata;
        _featuresDirectory = FeatureStoreLayout.FeaturesDirectory(outputDirectory);
        _options = options;
        var keyValues = FeatureStoreKeyValues.ToKeyValues(metadata);
        foreach (var (key, value) in options.PartKeyValues ?? new Dictionary<string, string>())
        {
            keyValues[key] = value;
        }

        _keyValues = keyValues;
        _parquetOptions = options.ToParquetOptions();
        _group = new FeatureRowGroup(Math.Min(options.RowGroupSize, options.RowsPerPart), metadata.Dimension);
        _partIntervalTicks = (long)(options.PartInterval.TotalSeconds * Stopwatch.Frequency);
        _nextPartNumber = nextPartNumber;
    }

    /// <summary>The store's root (absolute): <c>features/</c> and <c>rejects.parquet</c> live here.</summary>
    public string OutputDirectory { get; }

    public FeatureStoreMetadata Metadata { get; }

    /// <summary>Rows accepted by <see cref="WriteAsync"/>; after a flush, all of them are in closed parts.</summary>
    public long RowsWritten { get; private set; }

    /// <summary>Parts this writer closed (not counting parts of earlier runs).</summary>
    public int PartsWritten { get; private set; }

    /// <summary>
    /// Makes this process the store's one writer until the returned lock is disposed. Without it a
    /// second writer would take the first's temporary part for a killed run's leftover and delete it,
    /// and both would fail. Taken before the store is read or written; the lock of a process that
    /// died is released by the kernel (see <see cref="FolderLock"/>). Once held, what a compaction such a
    /// writer ran left half done is deleted (<see cref="FeatureStoreGenerations.Recover"/>) and the part
    /// closes it left half done are finished (<see cref="FeatureStorePart.FinishInterruptedCloses"/>).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written, or another process is writing the store.</exception>
    public static FolderLock Lock(string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var root = Path.GetFullPath(outputDirectory);
        var features = FeatureStoreLayout.FeaturesDirectory(root);
        EnsureWritable(root, features);
        var held = FolderLock.TryAcquire(root, FeatureStoreLayout.LockFile, out var holder)
            ?? throw new IOException(
                $"The feature store '{root}' is being written by another process{FolderLock.DescribeHolder(holder)}; a store takes one writer at a time.");
        try
        {
            FeatureStoreGenerations.Recover(root);
            FeatureStorePart.FinishInterruptedCloses(features);
        }
        catch
        {
            held.Dispose();
            throw;
        }

        return held;
    }

    /// <summary>
    /// Opens a store for writing: creates the folders, deletes temporary files and orphan Arrow parts
    /// a killed run left and the <c>_SUCCESS</c> marker (the store is incomplete until this run
    /// completes), and numbers new parts after the highest existing one. Existing parts must come
    /// from the same featurizer (<see cref="FeatureStoreMetadata"/> apart from its timestamp).
    /// </summary>
    /// <exception cref="IOException">The output directory cannot be created or written.</exception>
    /// <exception cref="InvalidDataException">Existing parts were written by another featurizer.</exception>
    public static async Task<FeatureStoreWriter> CreateAsync(
        string outputDirectory,
        FeatureStoreMetadata metadata,
        FeatureStoreOptions options,
        CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(metadata.Dimension, 1, "metadata.Dimension");
        ArgumentNullException.ThrowIfNull(metadata.Classes, "metadata.Classes");

        var root = Path.GetFullPath(outputDirectory);
        var features = FeatureStoreLayout.FeaturesDirectory(root);
        EnsureWritable(root, features);
        DeleteLeftovers(features);

        var existing = FeatureStoreLayout.FindParts(features, FeatureStoreLayout.ParquetExtension);
        if (existing.Count > 0)
        {
            await EnsureSameFeaturizerAsync(existing[^1].Path, metadata, ct).ConfigureAwait(false);
        }

        // Every Arrow part left has its Parquet twin (DeleteLeftovers removed the others), so the
        // highest Parquet number is the highest number in use.
        var next = existing.Count == 0 ? 0 : existing[^1].Number + 1;
        return new FeatureStoreWriter(root, metadata, options, next);
    }

    /// <summary>
    /// Buffers rows and writes every full row group; closes the part when it reaches
    /// <see cref="FeatureStoreOptions.RowsPerPart"/> rows or, at the end of this call, is older than
    /// <see cref="FeatureStoreOptions.PartInterval"/>.
    /// </summary>
    /// <param name="records">The rows' scalar columns.</param>
    /// <param name="features"><c>records.Length × Dimension</c> floats, row-major.</param>
    /// <param name="ct">Observed before any row is taken; should an I/O call observe it later, the open part is abandoned (closed parts stay).</param>
    /// <exception cref="ArgumentException">The feature buffer does not hold exactly one vector per record.</exception>
    public async ValueTask WriteAsync(ReadOnlyMemory<FeatureRecord> records, ReadOnlyMemory<float> features, CancellationToken ct)
    {
        var dimension = Metadata.Dimension;
        if (features.Length != (long)records.Length * dimension)
        {
            throw new ArgumentException(
                $"{records.Length} records need {(long)records.Length * dimension} feature values ({dimension} each), but {features.Length} were given.",
                nameof(features));
        }

        ThrowIfUnusable();

        // Observed here, before any row is taken, because Parquet.Net 6.1 does not check the token
        // while encoding: a cancelled write leaves the writer intact for a graceful dispose.
        ct.ThrowIfCancellationRequested();
        try
        {
            var offset = 0;
            while (offset < records.Length)
            {
                _part ??= await OpenPartAsync(ct).ConfigureAwait(false);
                var roomInPart = (int)Math.Min(int.MaxValue, _options.RowsPerPart - _part.Rows - _group.Count);
                var take = Math.Min(records.Length - offset, Math.Min(_group.Capacity - _group.Count, roomInPart));
                _group.Append(records.Span.Slice(offset, take), features.Span.Slice(offset * dimension, take * dimension));
                offset += take;
                RowsWritten += take;
                if (_part.Rows + _group.Count >= _options.RowsPerPart)
                {
                    await ClosePartAsync(ct).ConfigureAwait(false);
                }
                else if (_group.IsFull)
                {
                    await _part.WriteAsync(_group, ct).ConfigureAwait(false);
                    _group.Clear();
                }
            }

            if (_part is not null && Stopwatch.GetTimestamp() - _part.StartedTimestamp >= _partIntervalTicks)
            {
                await ClosePartAsync(ct).ConfigureAwait(false);
            }
        }
        catch
        {
            // The open part's stream is in an unknown state: it is abandoned, never renamed.
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Closes the open part, if there is one, as a complete part: every row written so far is then
    /// durable and visible to readers. A stream calls this after each micro-batch.
    /// </summary>
    public async Task CommitAsync(CancellationToken ct)
    {
        ThrowIfUnusable();
        if (_part is null)
        {
            return;
        }

        try
        {
            await ClosePartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="records"/> as one part of their own, whatever
    /// <see cref="FeatureStoreOptions.RowsPerPart"/> and <see cref="FeatureStoreOptions.PartInterval"/>
    /// say, and commits it, with no rows too: a stream's micro-batch with a companion file
    /// (its predictions, <c>predictions/part-NNNNN.parquet</c>), which
    /// <paramref name="beforeRename"/> writes under the part's number once the part is whole on disk
    /// and before its rename. That rename commits both: a reader that takes a companion only beside
    /// its part, and a restart that deletes companions without one, never see one without the other.
    /// </summary>
    /// <exception cref="InvalidOperationException">A part is open: rows were written by <see cref="WriteAsync"/> and not committed.</exception>
    public async Task WritePartAsync(
        ReadOnlyMemory<FeatureRecord> records, ReadOnlyMemory<float> features, Func<int, CancellationToken, Task> beforeRename, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(beforeRename);
        var dimension = Metadata.Dimension;
        if (features.Length != (long)records.Length * dimension)
        {
            throw new ArgumentException(
                $"{records.Length} records need {(long)records.Length * dimension} feature values ({dimension} each), but {features.Length} were given.",
                nameof(features));
        }

        ThrowIfUnusable();
        if (_part is not null)
        {
            throw new InvalidOperationException("A part is open; commit it before writing a part of its own.");
        }

        ct.ThrowIfCancellationRequested();
        try
        {
            var number = _nextPartNumber;
            _part = await OpenPartAsync(ct).ConfigureAwait(false);
            var offset = 0;
            while (offset < records.Length)
            {
                var take = Math.Min(records.Length - offset, _group.Capacity - _group.Count);
                _group.Append(records.Span.Slice(offset, take), features.Span.Slice(offset * dimension, take * dimension));
                offset += take;
                RowsWritten += take;
                if (_group.IsFull)
                {
                    await _part.WriteAsync(_group, ct).ConfigureAwait(false);
                    _group.Clear();
                }
            }

            await ClosePartAsync(ct, c => beforeRename(number, c)).ConfigureAwait(false);
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Takes <paramref name="count"/> part numbers for parts written by someone else (a stream's
    /// compaction, for its merged parts): this writer's next parts are numbered above them, so no
    /// number is ever used twice. Only between commits, while no part is open.
    /// </summary>
    internal int ReservePartNumbers(int count)
    {
        if (_part is not null)
        {
            throw new InvalidOperationException("A part is open; part numbers are reserved only between commits.");
        }

        var first = _nextPartNumber;
        _nextPartNumber += count;
        return first;
    }

    /// <summary>Flushes the open part and writes <c>features/_SUCCESS</c>: the whole run completed.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await CommitAsync(ct).ConfigureAwait(false);
        var marker = Path.Combine(_featuresDirectory, FeatureStoreLayout.SuccessMarker);
        var stream = new FileStream(marker, FileMode.Create, FileAccess.Write, FileShare.None);
        await using (stream.ConfigureAwait(false))
        {
            stream.Flush(flushToDisk: true);
        }

        _completed = true;
    }

    /// <summary>
    /// Without <see cref="CompleteAsync"/>: closes the open part as complete if it has rows (a
    /// graceful stop keeps them) but writes no <c>_SUCCESS</c>. After a failed write the open part
    /// is deleted instead, since its stream may be corrupt.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            // A part is opened by its first row, so an open part always has rows to keep.
            if (_part is not null && !_faulted)
            {
                await ClosePartAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (_part is not null)
            {
                await _part.DisposeAsync().ConfigureAwait(false);
                _part = null;
            }
        }
    }

    private async Task<FeatureStorePart> OpenPartAsync(CancellationToken ct)
    {
        var part = await FeatureStorePart.OpenAsync(
            _featuresDirectory, _nextPartNumber, _keyValues, _parquetOptions, _options.WriteArrow, Metadata.Dimension, _group.Capacity, replace: false, ct).ConfigureAwait(false);
        _nextPartNumber++;
        return part;
    }

    private async Task ClosePartAsync(CancellationToken ct, Func<CancellationToken, Task>? beforeRename = null)
    {
        Debug.Assert(_part is not null);
        if (_group.Count > 0)
        {
            await _part.WriteAsync(_group, ct).ConfigureAwait(false);
            _group.Clear();
        }

        await _part.CloseAsync(beforeRename, ct).ConfigureAwait(false);
        await _part.DisposeAsync().ConfigureAwait(false);
        _part = null;
        PartsWritten++;
    }

    private void ThrowIfUnusable()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            throw new InvalidOperationException($"The feature store at '{OutputDirectory}' is already complete; no more rows can be written.");
        }

        if (_faulted)
        {
            throw new InvalidOperationException($"An earlier write to the feature store at '{OutputDirectory}' failed, so its open part was abandoned; create a new writer to resume.");
        }
    }

    private static void EnsureWritable(string root, string features)
    {
        try
        {
            Directory.CreateDirectory(features);

            // Creating a folder that exists succeeds even when it is read-only; a probe file fails now
            // rather than at the first part, minutes into a run.
            using var probe = new FileStream(
                Path.Combine(features, ".write-probe" + FeatureStoreLayout.TemporarySuffix),
                FileMode.Create,
                FileAccess.Write,
                FileShare.None,
                bufferSize: 1,
                FileOptions.DeleteOnClose);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The feature store output directory '{root}' cannot be created or written ({e.Message}).", e);
        }
    }

    /// <summary>
    /// Removes what a killed run left: hidden temporary files, Arrow parts whose Parquet part was
    /// never renamed (the rename order makes those the only possible orphans), and <c>_SUCCESS</c>.
    /// </summary>
    private static void DeleteLeftovers(string features)
    {
        foreach (var temporary in Directory.EnumerateFiles(features, ".*" + FeatureStoreLayout.TemporarySuffix))
        {
            File.Delete(temporary);
        }

        foreach (var (_, arrow) in FeatureStoreLayout.FindParts(features, FeatureStoreLayout.ArrowExtension))
        {
            if (!File.Exists(Path.ChangeExtension(arrow, FeatureStoreLayout.ParquetExtension)))
            {
                File.Delete(arrow);
            }
        }

        File.Delete(Path.Combine(features, FeatureStoreLayout.SuccessMarker));
    }

    private static async Task EnsureSameFeaturizerAsync(string part, FeatureStoreMetadata metadata, CancellationToken ct)
    {
        var reader = await ParquetReader.CreateAsync(part, cancellationToken: ct).ConfigureAwait(false);
        await using var _ = reader.ConfigureAwait(false);
        var existing = FeatureStoreKeyValues.Parse(reader.CustomMetadata, part);
        FeaturizerMismatch.ThrowIfDifferent(
            metadata, existing, FeaturizerMatch.Store, $"Existing feature store part '{part}'", "this run", "their rows cannot share one store, so write to another output directory");
    }
}
