using System.Buffers.Binary;
using System.Diagnostics;
using Parquet;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// One part being written: a hidden temporary Parquet file (and its Arrow twin) that becomes
/// <c>part-NNNNN.parquet</c> only when closed, so a reader or a resumed run never sees a part
/// without its footer. Abandoning it deletes the temporary files. A new part never replaces a
/// file; a compacted one replaces the part it was made from, in one rename.
/// </summary>
internal sealed class FeatureStorePart : IAsyncDisposable
{
    private const int FileBufferBytes = 1 << 20;

    private readonly FileStream _parquetStream;
    private readonly ParquetWriter _parquet;
    private readonly ArrowFeatureWriter? _arrow;
    private readonly string _parquetTemporary;
    private readonly string? _arrowTemporary;
    private readonly bool _replace;
    private bool _closed;

    private FeatureStorePart(
        string parquetPath,
        FileStream parquetStream,
        ParquetWriter parquet,
        string? arrowPath,
        ArrowFeatureWriter? arrow,
        bool replace)
    {
        ParquetPath = parquetPath;
        ArrowPath = arrowPath;
        _parquetTemporary = FeatureStoreLayout.TemporaryPath(parquetPath);
        _arrowTemporary = arrowPath is null ? null : FeatureStoreLayout.TemporaryPath(arrowPath);
        _parquetStream = parquetStream;
        _parquet = parquet;
        _arrow = arrow;
        _replace = replace;
        StartedTimestamp = Stopwatch.GetTimestamp();
    }

    /// <summary>The final name, which exists only after <see cref="CloseAsync"/>.</summary>
    public string ParquetPath { get; }

    public string? ArrowPath { get; }

    public long Rows { get; private set; }

    /// <summary>When the part was opened, for <see cref="FeatureStoreOptions.PartInterval"/>.</summary>
    public long StartedTimestamp { get; }

    public static async Task<FeatureStorePart> OpenAsync(
        string featuresDirectory,
        int number,
        IReadOnlyDictionary<string, string> keyValues,
        ParquetOptions parquetOptions,
        bool writeArrow,
        int dimension,
        int maxRowsPerGroup,
        bool replace,
        CancellationToken ct)
    {
        var parquetPath = Path.Combine(featuresDirectory, FeatureStoreLayout.PartFileName(number, FeatureStoreLayout.ParquetExtension));
        var arrowPath = writeArrow ? Path.ChangeExtension(parquetPath, FeatureStoreLayout.ArrowExtension) : null;
        FileStream? parquetStream = null;
        FileStream? arrowStream = null;
        try
        {
            parquetStream = CreateTemporary(parquetPath);
            var parquet = await ParquetWriter.CreateAsync(FeatureStoreSchema.Schema, parquetStream, parquetOptions, append: false, ct).ConfigureAwait(false);
            parquet.CustomMetadata = keyValues;
            ArrowFeatureWriter? arrow = null;
            if (arrowPath is not null)
            {
                arrowStream = CreateTemporary(arrowPath);
                arrow = new ArrowFeatureWriter(arrowStream, dimension, maxRowsPerGroup, keyValues);
            }

            return new FeatureStorePart(parquetPath, parquetStream, parquet, arrowPath, arrow, replace);
        }
        catch
        {
            await DeleteTemporaryAsync(parquetStream).ConfigureAwait(false);
            await DeleteTemporaryAsync(arrowStream).ConfigureAwait(false);
            throw;
        }
    }

    public async Task WriteAsync(FeatureRowGroup group, CancellationToken ct)
    {
        Debug.Assert(!_closed);
        try
        {
            await group.WriteToAsync(_parquet, ct).ConfigureAwait(false);
            if (_arrow is not null)
            {
                await _arrow.WriteAsync(group, ct).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            throw NameParts(e);
        }

        Rows += group.Count;
    }

    /// <summary>
    /// Writes the footers, forces the bytes to disk, then renames: Arrow first, so that a Parquet
    /// part (what readers and resume look for) never exists without its Arrow twin.
    /// </summary>
    /// <param name="beforeRename">
    /// Runs once both files are whole on disk and before either is renamed: a companion file of the
    /// part (a stream's predictions) put in place then is never missing from a committed part. The
    /// Arrow rename already commits the part (see <see cref="FinishInterruptedCloses"/>), so this
    /// comes before it.
    /// </param>
    /// <param name="ct">Cancels the flushes.</param>
    public async Task CloseAsync(Func<CancellationToken, Task>? beforeRename, CancellationToken ct)
    {
        Debug.Assert(!_closed);
        try
        {
            await _parquet.DisposeAsync().ConfigureAwait(false);
            await _parquetStream.FlushAsync(ct).ConfigureAwait(false);
            _parquetStream.Flush(flushToDisk: true);
            await _parquetStream.DisposeAsync().ConfigureAwait(false);
            if (_arrow is not null)
            {
                await _arrow.CompleteAsync(ct).ConfigureAwait(false);
                await _arrow.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            throw NameParts(e);
        }

        if (beforeRename is not null)
        {
            await beforeRename(ct).ConfigureAwait(false);
        }

        try
        {
            if (_arrow is not null)
            {
                File.Move(_arrowTemporary!, ArrowPath!, _replace);
            }

            File.Move(_parquetTemporary, ParquetPath, _replace);
            DirectorySync.Flush(Path.GetDirectoryName(ParquetPath)!);
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            throw NameParts(e);
        }

        _closed = true;
    }

    /// <summary>
    /// Abandons an unclosed part: its rows are lost, no partial file remains. The streams' last flush is
    /// allowed to fail (the disk that failed a write is typically still full): those bytes are being thrown
    /// away, and the temporary files must go whatever happens, or they keep the disk full.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        await AbandonAsync(_parquetStream, _parquetTemporary).ConfigureAwait(false);
        if (_arrow is not null)
        {
            await AbandonAsync(_arrow, _arrowTemporary!).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes <paramref name="writer"/>, ignoring a failed flush, then deletes <paramref name="temporary"/>.</summary>
    private static async ValueTask AbandonAsync(IAsyncDisposable writer, string temporary)
    {
        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            // The handle is closed even when the flush before it fails; only the bytes are lost, as intended.
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Finishes the closes a killed writer left between its two renames: an Arrow twin already
    /// renamed (its temporary file is gone) while the Parquet part, complete to its footer, still
    /// has its temporary name. Left as it is, a new part's rows would be thrown away with the
    /// temporary file, and a compacted part would keep its old rows beside an Arrow twin that holds
    /// the new ones, for good if those old rows are current again at the next run. Must run before
    /// the store is read, so that the run sees what the killed writer committed.
    /// </summary>
    public static void FinishInterruptedCloses(string featuresDirectory)
    {
        foreach (var (_, arrow) in FeatureStoreLayout.FindParts(featuresDirectory, FeatureStoreLayout.ArrowExtension))
        {
            var parquet = Path.ChangeExtension(arrow, FeatureStoreLayout.ParquetExtension);
            var parquetTemporary = FeatureStoreLayout.TemporaryPath(parquet);
            if (!File.Exists(FeatureStoreLayout.TemporaryPath(arrow)) && EndsWithFooter(parquetTemporary))
            {
                File.Move(parquetTemporary, parquet, overwrite: true);
            }
        }
    }

    /// <summary>
    /// Whether <paramref name="file"/> exists and ends as a Parquet file does, with the footer's
    /// length and <c>PAR1</c>: written only by the writer's dispose, before the part is renamed.
    /// </summary>
    private static bool EndsWithFooter(string file)
    {
        if (!File.Exists(file))
        {
            return false;
        }

        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        Span<byte> tail = stackalloc byte[8];
        if (stream.Length < 12)
        {
            return false;
        }

        stream.Position = stream.Length - tail.Length;
        stream.ReadExactly(tail);
        var footerLength = BinaryPrimitives.ReadInt32LittleEndian(tail);
        return tail[4..].SequenceEqual("PAR1"u8) && footerLength > 0 && footerLength <= stream.Length - 12;
    }

    /// <summary><paramref name="error"/> naming the part's files rather than their temporary names.</summary>
    private IOException NameParts(Exception error) => _arrowTemporary is null
        ? TemporaryFileError.NameTargets(error, (_parquetTemporary, ParquetPath))
        : TemporaryFileError.NameTargets(error, (_parquetTemporary, ParquetPath), (_arrowTemporary, ArrowPath!));

    private static FileStream CreateTemporary(string finalPath) => new(
        FeatureStoreLayout.TemporaryPath(finalPath),
        FileMode.Create,
        FileAccess.Write,
        FileShare.None,
        FileBufferBytes,
        FileOptions.Asynchronous);

    private static async ValueTask DeleteTemporaryAsync(FileStream? stream)
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            File.Delete(stream.Name);
        }
    }
}
