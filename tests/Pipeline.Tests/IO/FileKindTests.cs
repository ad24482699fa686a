using Pipeline.IO;

namespace Pipeline.Tests.IO;

public sealed class FileKindTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void DescribeIfNotRegular_RegularFileOrLinkToOne_IsNull()
    {
        var file = _dir.Write("a.png", [1, 2, 3]);

        Assert.Null(FileKind.DescribeIfNotRegular(file));
        Assert.Null(FileKind.DescribeIfNotRegular(SpecialFiles.Link(_dir.Combine("link.png"), file)));
    }

    [Fact]
    public void DescribeIfNotRegular_MissingPath_IsNullSoThatTheOpenReportsIt()
    {
        Assert.Null(FileKind.DescribeIfNotRegular(_dir.Combine("missing.png")));
    }

    [Fact]
    public void DescribeIfNotRegular_FifoOrLinkToOne_IsFifo()
    {
        var fifo = SpecialFiles.Fifo(_dir.Combine("x.png"));

        Assert.Equal("FIFO", FileKind.DescribeIfNotRegular(fifo));
        Assert.Equal("FIFO", FileKind.DescribeIfNotRegular(SpecialFiles.Link(_dir.Combine("link.png"), fifo)));
    }

    [Fact]
    public void DescribeIfNotRegular_OtherKinds_NameTheKind()
    {
        Assert.Equal("character device", FileKind.DescribeIfNotRegular("/dev/null"));
        using (SpecialFiles.Socket(_dir.Combine("s.png")))
        {
            Assert.Equal("socket", FileKind.DescribeIfNotRegular(_dir.Combine("s.png")));
        }

        Assert.Equal("directory", FileKind.DescribeIfNotRegular(Directory.CreateDirectory(_dir.Combine("d.png")).FullName));
    }
}
