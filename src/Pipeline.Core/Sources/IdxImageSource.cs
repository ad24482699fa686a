using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Pipeline.Sources;

/// <summary>
/// An MNIST-style IDX pair: an images file (magic 0x00000803: uint8, N × rows × cols, big-endian
/// header) and a labels file (magic 0x00000801: uint8, N), each gzip-compressed or raw. Labels are
/// the numbers as strings; an image's path is <c>&lt;images file's full path&gt;#&lt;index&gt;</c>, so
/// that two datasets whose files share a name (every MNIST variant's do) never share a row key.
/// </summary>
/// <remarks>
/// Gzip is recognised by its magic bytes (1f 8b), not by the file name. Images stream through one
/// sequential read, so a 47 MB Fashion-MNIST training file never sits in memory; the labels file
/// (one byte per image) is read whole at open because the class list must be known up front.
/// </remarks>
internal sealed class IdxImageSource : ILabelledImageSource, IShardKeyedSource
{
    private const int ImagesMagic = 0x00000803;
    private const int LabelsMagic = 0x00000801;
    private const int ImagesHeaderBytes = 16;
    private const int LabelsHeaderBytes = 8;

    /// <summary>First buffer for a gzip labels file's labels; it doubles as they arrive.</summary>
    private const int InitialLabelsBufferBytes = 64 * 1024;

    /// <summary>Caps rows × cols so a corrupt header cannot ask for a gigantic per-image buffer.</summary>
    private const int MaxPixelsPerImage = 1 << 24;

    /// <summary>The label of each byte value, shared so that images do not each format their own.</summary>
    private static readonly string[] LabelNames = Enumerable.Range(0, 256).Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private readonly string _imagesPath;
    private readonly byte[] _labels;
    private readonly int _rows;
    private readonly int _columns;
    private readonly long _fileBytes;
    private readonly long _fileModifiedUnixMs;

    private IdxImageSource(string imagesPath, string labelsPath, byte[] labels, int rows, int columns)
    {
        _imagesPath = imagesPath;
        _labels = labels;
        _rows = rows;
        _columns = columns;
        (_fileBytes, _fileModifiedUnixMs) = FileStamp.Of(new FileInfo(imagesPath));
        Classes = ClassList.FromLabels(labels.Distinct().Select(v => LabelNames[v]));
        Description = $"idx {imagesPath},{labelsPath}";
    }

    public string Description { get; }

    public ClassList Classes { get; }

    public long? Count => _labels.Length;

    /// <summary>The image's index in the file, whatever the file's path.</summary>
    public string ShardKeyOf(LabelledImage image) => image.Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ShardKeyScheme KeyScheme => new(ShardKeyKind.Index, _imagesPath);

    public static async Task<IdxImageSource> OpenAsync(string imagesFile, string labelsFile, CancellationToken cancellationToken)
    {
        var imagesPath = Path.GetFullPath(imagesFile);
        var labelsPath = Path.GetFullPath(labelsFile);
        var labels = await ReadLabelsAsync(labelsPath, cancellationToken).ConfigureAwait(false);
        var (count, rows, columns) = await ReadImagesHeaderAsync(imagesPath, cancellationToken).ConfigureAwait(false);
        if (count != labels.Length)
        {
            throw new SourceException(
                $"IDX images file '{imagesPath}' holds {count} images but labels file '{labelsPath}' holds {labels.Length} labels.");
        }

        if (count == 0)
        {
            throw new SourceException($"IDX images file '{imagesPath}' holds no images.");
        }

        return new IdxImageSource(imagesPath, labelsPath, labels, rows, columns);
    }

    public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stream = OpenDecompressed(_imagesPath);
        await using var _ = stream.ConfigureAwait(false);
        var imageBytes = _rows * _columns;
        await ReadExactlyAsync(stream, new byte[ImagesHeaderBytes], _imagesPath, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < _labels.Length; i++)
        {
            // A fresh array per image: the image outlives this iteration in the dataflow's queues.
            var pixels = new byte[imageBytes];
            await ReadExactlyAsync(stream, pixels, _imagesPath, cancellationToken).ConfigureAwait(false);
            var label = LabelNames[_labels[i]];
            yield return new LabelledImage(i, $"{_imagesPath}#{i}", label, Classes.IndexOf(label))
            {
                Pixels = new GrayPixels(_columns, _rows, pixels),
                FileBytes = _fileBytes,
                FileModifiedUnixMs = _fileModifiedUnixMs,
            };
        }
    }

    /// <remarks>
    /// The header's count is only a claim, so nothing is allocated from it: a raw file's length
    /// must hold the count before the array is made, and a gzip file's labels are read into a buffer
    /// that doubles as they arrive, so a corrupt count costs at most twice what the file really holds.
    /// </remarks>
    private static async Task<byte[]> ReadLabelsAsync(string labelsPath, CancellationToken cancellationToken)
    {
        var stream = OpenDecompressed(labelsPath);
        await using var _ = stream.ConfigureAwait(false);
        var header = new byte[LabelsHeaderBytes];
        await ReadExactlyAsync(stream, header, labelsPath, cancellationToken).ConfigureAwait(false);
        CheckMagic(header, LabelsMagic, labelsPath, "labels");
        var count = ReadCount(header.AsSpan(4), labelsPath, "label count");
        if (stream is FileStream file && file.Length < LabelsHeaderBytes + (long)count)
        {
            throw new SourceException(
                $"IDX labels file '{labelsPath}' is truncated: it is {file.Length} bytes where its header's {count} labels need {LabelsHeaderBytes + (long)count}.");
        }

        var labels = new byte[Math.Min(count, InitialLabelsBufferBytes)];
        var read = 0;
        while (read < count)
        {
            if (read == labels.Length)
            {
                Array.Resize(ref labels, (int)Math.Min(count, 2L * labels.Length));
            }

            var chunk = await ReadSomeAsync(stream, labels.AsMemory(read), labelsPath, cancellationToken).ConfigureAwait(false);
            if (chunk == 0)
            {
                throw new SourceException(
                    $"IDX labels file '{labelsPath}' is truncated: it holds {read} labels where its header declares {count}.");
            }

            read += chunk;
        }

        return labels;
    }

    private static async Task<(int Count, int Rows, int Columns)> ReadImagesHeaderAsync(string imagesPath, CancellationToken cancellationToken)
    {
        var stream = OpenDecompressed(imagesPath);
        await using var _ = stream.ConfigureAwait(false);
        var header = new byte[ImagesHeaderBytes];
        await ReadExactlyAsync(stream, header, imagesPath, cancellationToken).ConfigureAwait(false);
        CheckMagic(header, ImagesMagic, imagesPath, "images");
        var count = ReadCount(header.AsSpan(4), imagesPath, "image count");
        var rows = ReadCount(header.AsSpan(8), imagesPath, "row count");
        var columns = ReadCount(header.AsSpan(12), imagesPath, "column count");
        if (rows == 0 || columns == 0 || (long)rows * columns > MaxPixelsPerImage)
        {
            throw new SourceException(
                $"IDX images file '{imagesPath}' declares {rows}×{columns} images; each side must be positive and rows × columns at most {MaxPixelsPerImage}.");
        }

        // A raw file's length proves it complete now; a gzip file's only shows while streaming.
        if (stream is FileStream file && file.Length < ImagesHeaderBytes + (long)count * rows * columns)
        {
            throw new SourceException(
                $"IDX images file '{imagesPath}' is truncated: {file.Length} bytes where {count} images of {rows}×{columns} need {ImagesHeaderBytes + (long)count * rows * columns}.");
        }

        return (count, rows, columns);
    }

    private static Stream OpenDecompressed(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"Cannot open IDX file '{path}': {e.Message}", e);
        }

        Span<byte> magic = stackalloc byte[2];
        var isGzip = file.Read(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    private static async ValueTask ReadExactlyAsync(Stream stream, byte[] buffer, string path, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException e)
        {
            throw new SourceException($"IDX file '{path}' is truncated: it ends before the data its header declares.", e);
        }
        catch (InvalidDataException e)
        {
            throw new SourceException($"IDX file '{path}' is not valid gzip data: {e.Message}", e);
        }
    }

    private static async ValueTask<int> ReadSomeAsync(Stream stream, Memory<byte> buffer, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw new SourceException($"IDX file '{path}' is not valid gzip data: {e.Message}", e);
        }
    }

    private static void CheckMagic(ReadOnlySpan<byte> header, int expected, string path, string kind)
    {
        var magic = BinaryPrimitives.ReadInt32BigEndian(header);
        if (magic != expected)
        {
            throw new SourceException(
                $"IDX {kind} file '{path}' has magic number 0x{magic:X8} where 0x{expected:X8} (uint8, {(expected == ImagesMagic ? 3 : 1)} dimensions) is expected.");
        }
    }

    private static int ReadCount(ReadOnlySpan<byte> bytes, string path, string what)
    {
        var value = BinaryPrimitives.ReadInt32BigEndian(bytes);
        return value >= 0
            ? value
            : throw new SourceException($"IDX file '{path}' declares a negative {what} ({value}).");
    }
}
