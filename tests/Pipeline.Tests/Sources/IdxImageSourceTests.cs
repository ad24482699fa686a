using System.Buffers.Binary;
using System.IO.Compression;
using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class IdxImageSourceTests
{
    private const int Rows = 2;
    private const int Columns = 3;

    private static readonly byte[] Labels = [7, 0, 7];

    /// <summary>Image i holds bytes 10*i .. 10*i+5, row-major.</summary>
    private static readonly byte[][] Images = [[0, 1, 2, 3, 4, 5], [10, 11, 12, 13, 14, 15], [20, 21, 22, 23, 24, 255]];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReadAsync_RawOrGzip_YieldsExactPixelsAndLabels(bool gzip)
    {
        using var folder = new TempFolder();
        // Names without ".gz": compression is told by the magic bytes, never by the name.
        var images = folder.Write("imgs", Encode(ImagesFile(Images.Length, Images), gzip));
        var labels = folder.Write("labels", Encode(LabelsFile(Labels), gzip));

        var source = await IdxImageSource.OpenAsync(images, labels, CancellationToken.None);
        var read = await source.ReadAllAsync();

        Assert.Equal(["0", "7"], source.Classes.Names);
        Assert.Equal([$"{images}#0", $"{images}#1", $"{images}#2"], read.Select(i => i.Path));
        Assert.Equal(["7", "0", "7"], read.Select(i => i.Label));
        Assert.Equal([1, 0, 1], read.Select(i => i.LabelIndex));
        for (var i = 0; i < Images.Length; i++)
        {
            var pixels = read[i].Pixels!;
            Assert.Equal((Columns, Rows), (pixels.Width, pixels.Height));
            Assert.Equal(Images[i], pixels.Data.ToArray());
            Assert.Equal(new FileInfo(images).Length, read[i].FileBytes);
        }
    }

    [Fact]
    public async Task ReadAsync_SameFileNameInTwoFolders_KeysRowsApart()
    {
        using var folder = new TempFolder();
        var paths = new List<string>();
        foreach (var dataset in new[] { "mnist", "fashion-mnist" })
        {
            var images = folder.Write($"{dataset}/train-images-idx3-ubyte", ImagesFile(Images.Length, Images));
            var labels = folder.Write($"{dataset}/train-labels-idx1-ubyte", LabelsFile(Labels));
            var source = await IdxImageSource.OpenAsync(images, labels, CancellationToken.None);
            paths.AddRange((await source.ReadAllAsync()).Select(i => i.Path));
        }

        Assert.Equal(2 * Images.Length, paths.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task OpenAsync_LabelsFileAsImages_ThrowsNamingFileAndMagic()
    {
        using var folder = new TempFolder();
        var labels = folder.Write("labels", LabelsFile(new byte[20]));

        var e = await Assert.ThrowsAsync<SourceException>(() => IdxImageSource.OpenAsync(labels, labels, CancellationToken.None));

        Assert.Contains(labels, e.Message);
        Assert.Contains("0x00000801", e.Message);
        Assert.Contains("0x00000803", e.Message);
    }

    [Fact]
    public async Task OpenAsync_CountsDiffer_ThrowsNamingBothFiles()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs", ImagesFile(Images.Length, Images));
        var labels = folder.Write("labels", LabelsFile([1, 2]));

        var e = await Assert.ThrowsAsync<SourceException>(() => IdxImageSource.OpenAsync(images, labels, CancellationToken.None));

        Assert.Contains(images, e.Message);
        Assert.Contains(labels, e.Message);
        Assert.Contains("3 images", e.Message);
    }

    [Fact]
    public async Task OpenAsync_RawImagesTruncated_ThrowsNamingFile()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs", ImagesFile(Images.Length, Images)[..^1]);
        var labels = folder.Write("labels", LabelsFile(Labels));

        var e = await Assert.ThrowsAsync<SourceException>(() => IdxImageSource.OpenAsync(images, labels, CancellationToken.None));

        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task ReadAsync_GzipImagesTruncated_ThrowsNamingFileAfterTheCompleteImages()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs.gz", Encode(ImagesFile(Images.Length, Images)[..^1], gzip: true));
        var labels = folder.Write("labels.gz", Encode(LabelsFile(Labels), gzip: true));
        var source = await IdxImageSource.OpenAsync(images, labels, CancellationToken.None);
        var read = new List<LabelledImage>();

        var e = await Assert.ThrowsAsync<SourceException>(async () =>
        {
            await foreach (var image in source.ReadAsync())
            {
                read.Add(image);
            }
        });

        Assert.Equal(2, read.Count);
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public async Task OpenAsync_RawLabelCountOverFileSize_ThrowsNamingFileAndCountsWithoutAllocating()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs", ImagesFile(Images.Length, Images));
        // 20 bytes whose header claims 2^31-1 labels: an allocation from the header alone throws
        // "Array dimensions exceeded supported range" (an OutOfMemoryException) instead.
        var labels = folder.Write("labels", File.ReadAllBytes(FuzzFixture.PathOf("idx-label-count-over-file-size")));

        var e = await Assert.ThrowsAsync<SourceException>(() => IdxImageSource.OpenAsync(images, labels, CancellationToken.None));

        Assert.Equal(
            $"IDX labels file '{labels}' is truncated: it is 20 bytes where its header's 2147483647 labels need 2147483655.",
            e.Message);
    }

    [Fact]
    public async Task OpenAsync_GzipLabelCountOverContent_ThrowsNamingFileAndCountsWithoutAllocating()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs", ImagesFile(Images.Length, Images));
        var labels = folder.Write("labels.gz", Encode(File.ReadAllBytes(FuzzFixture.PathOf("idx-label-count-over-file-size")), gzip: true));

        var e = await Assert.ThrowsAsync<SourceException>(() => IdxImageSource.OpenAsync(images, labels, CancellationToken.None));

        Assert.Equal(
            $"IDX labels file '{labels}' is truncated: it holds 12 labels where its header declares 2147483647.",
            e.Message);
    }

    internal static byte[] ImagesFile(int count, byte[][] images)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000803);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), Rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), Columns);
        return [.. header, .. images.SelectMany(i => i)];
    }

    internal static byte[] LabelsFile(byte[] labels)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, 0x00000801);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        return [.. header, .. labels];
    }

    internal static byte[] Encode(byte[] content, bool gzip)
    {
        if (!gzip)
        {
            return content;
        }

        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(content);
        }

        return buffer.ToArray();
    }
}
