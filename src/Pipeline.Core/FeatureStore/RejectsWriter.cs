using System.IO.Compression;
using Parquet;
using Pipeline.Decoding;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// Streams rejects into <c>&lt;out&gt;/rejects.parquet</c>, written under a hidden temporary name and
/// renamed over the old file when closed; the file is written even with no rejects, so tools can
/// rely on it.
/// </summary>
/// <remarks>
/// Resume: rejects of an earlier run are read at <see cref="CreateAsync"/> and, when this writer
/// closes, appended after this run's rows, except for paths this run settled: rejected again (a
/// resumed run retries images the store does not hold, rejects included) or featurized after all
/// (the file was fixed), so a path appears at most once however often a run is resumed. After
/// <see cref="SourceCompleted"/> none of them is kept. One file rather than parts: rejects are few,
/// and a single file is what people open. Not thread-safe: one consumer feeds it.
/// </remarks>
internal sealed class RejectsWriter : IAsyncDisposable
{
    /// <summary>Rejects buffered per row group: small, rejects are rare and short.</summary>
    private const int RowGroupSize = 1024;

    private readonly string _file;
    private readonly string _temporary;
    private readonly List<Reject> _earlier;
    private readonly HashSet<string> _earlierPaths;
    private readonly HashSet<string> _settledNow = new(StringComparer.Ordinal);
    private readonly ReadOnlyMemory<char>[] _paths = new ReadOnlyMemory<char>[RowGroupSize];
    private readonly ReadOnlyMemory<char>[] _stages = new ReadOnlyMemory<char>[RowGroupSize];
    private readonly ReadOnlyMemory<char>[] _reasons = new ReadOnlyMemory<char>[RowGroupSize];
    private readonly FileStream _stream;
    private readonly ParquetWriter _writer;
    private int _buffered;
    private bool _sourceCompleted;
    private bool _faulted;
    private bool _closed;

    private RejectsWriter(string file, List<Reject> earlier, FileStream stream, ParquetWriter writer)
    {
        _file = file;
        _temporary = stream.Name;
        _earlier = earlier;
        _earlierPaths = new HashSet<string>(earlier.Select(r => r.Path), StringComparer.Ordinal);
        _stream = stream;
        _writer = writer;
    }

    /// <summary>Rejects written by this writer (earlier runs' rows not counted).</summary>
    public long RejectsWritten { get; private set; }

    /// <summary>
    /// Whether completing now would write a file different from the one there: this writer took a
    /// reject, or settled a path the earlier file rejects. A stream commits the file only then.
    /// </summary>
    public bool HasChanges => RejectsWritten > 0 || _settledNow.Count > 0;

    /// <summary>Opens <c>&lt;out&gt;/rejects.parquet</c> for writing, keeping an existing file's rows.</summary>
    /// <exception cref="IOException">The output directory cannot be created or written.</exception>
    /// <exception cref="InvalidDataException">An existing rejects file cannot be read.</exception>
    public static async Task<RejectsWriter> CreateAsync(string outputDirectory, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var root = Path.GetFullPath(outputDirectory);
        var file = Path.Combine(root, FeatureStoreLayout.RejectsFile);
        var temporary = FeatureStoreLayout.TemporaryPath(file);
        FileStream stream;
        try
        {
            Directory.CreateDirectory(root);
            stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The rejects output directory '{root}' cannot be created or written ({e.Message}).", e);
        }

        try
        {
            var earlier = File.Exists(file) ? await RejectsReader.ReadFileAsync(file, ct).ConfigureAwait(false) : [];
            var options = new ParquetOptions { CompressionMethod = CompressionMethod.Snappy, CompressionLevel = CompressionLevel.Optimal };
            var writer = await ParquetWriter.CreateAsync(RejectsSchema.Schema, stream, options, append: false, ct).ConfigureAwait(false);
            return new RejectsWriter(file, earlier, stream, writer);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Delete(temporary);
            throw;
        }
    }

    public async ValueTask WriteAsync(Reject reject, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reject);
        ObjectDisposedException.ThrowIf(_closed, this);
        if (_faulted)
        {
            throw new InvalidOperationException($"An earlier write to '{_temporary}' failed; the rejects of this run are lost.");
        }

        RejectsWritten++;
        _settledNow.Add(reject.Path);
        await BufferAsync(reject, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Records that <paramref name="path"/> was featurized in this run, so an earlier run's reject
    /// of it is dropped. Only earlier rejects are remembered, so the set stays as small as the
    /// rejects however many images a run (or an endless stream) featurizes.
    /// </summary>
    public void Featurized(string path)
    {
        if (_earlierPaths.Contains(path))
        {
            _settledNow.Add(path);
        }
    }

    /// <summary>
    /// Records that the run went through its whole source. Every image the source still holds was
    /// then settled by this run: featurized, rejected again, or found in the store (not a reject
    /// any more). An earlier reject this run did not settle is therefore of an image gone from
    /// the source, and is not kept.
    /// </summary>
    public void SourceCompleted() => _sourceCompleted = true;

    /// <summary>Writes the remaining rows and the earlier runs' rows still open, then renames the file into place.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        try
        {
            await WriteGroupAsync(ct).ConfigureAwait(false);
            foreach (var reject in _sourceCompleted ? [] : _earlier)
            {
                if (!_settledNow.Contains(reject.Path))
                {
                    await BufferAsync(reject, ct).ConfigureAwait(false);
                }
            }

            await WriteGroupAsync(ct).ConfigureAwait(false);
            await _writer.DisposeAsync().ConfigureAwait(false);
            await _stream.FlushAsync(ct).ConfigureAwait(false);
            _stream.Flush(flushToDisk: true);
            await _stream.DisposeAsync().ConfigureAwait(false);
            File.Move(_temporary, _file, overwrite: true);
            DirectorySync.Flush(Path.GetDirectoryName(_file)!);
            _closed = true;
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            _faulted = true;
            throw TemporaryFileError.NameTargets(e, (_temporary, _file));
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>
    /// Without <see cref="CompleteAsync"/>: a graceful stop completes the file as well (like the
    /// feature store keeps its closed parts); after a failed write the temporary file is deleted
    /// and an earlier rejects file is left as it was.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        try
        {
            if (!_faulted)
            {
                await CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!_closed)
            {
                _closed = true;
                try
                {
                    await _stream.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
                {
                    // The flush of rows being thrown away failed (a full disk, typically); the handle is
                    // closed regardless, and the temporary file must still go or it keeps the disk full.
                }
                finally
                {
                    File.Delete(_temporary);
                }
            }
        }
    }

    private async ValueTask BufferAsync(Reject reject, CancellationToken ct)
    {
        _paths[_buffered] = reject.Path.AsMemory();
        _stages[_buffered] = reject.Stage.AsMemory();
        _reasons[_buffered] = reject.Reason.AsMemory();
        _buffered++;
        if (_buffered == RowGroupSize)
        {
            await WriteGroupAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task WriteGroupAsync(CancellationToken ct)
    {
        // No empty groups: a file without rejects is a schema and a footer with no row groups,
        // which Parquet.Net and DuckDB read as zero rows.
        if (_buffered == 0)
        {
            return;
        }

        try
        {
            using var group = _writer.CreateRowGroup();
            await group.WriteAsync<ReadOnlyMemory<char>>(RejectsSchema.Path, _paths.AsMemory(0, _buffered), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<ReadOnlyMemory<char>>(RejectsSchema.Stage, _stages.AsMemory(0, _buffered), cancellationToken: ct).ConfigureAwait(false);
            await group.WriteAsync<ReadOnlyMemory<char>>(RejectsSchema.Reason, _reasons.AsMemory(0, _buffered), cancellationToken: ct).ConfigureAwait(false);
            group.CompleteValidate();
            _buffered = 0;
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }
}
