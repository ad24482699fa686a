using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class SourceFieldTests
{
    private static readonly SourceField Manifest = new("path", SourceFieldKind.File) { Extensions = [".csv", ".parquet"], Noun = "manifest" };

    [Theory]
    [InlineData("m.csv")]
    [InlineData("dir/m.PARQUET")]
    [InlineData("m.Csv")]
    public void TextError_AnyCaseOfAnExtension_IsNone(string text)
    {
        Assert.Null(Manifest.TextError(text));
    }

    [Theory]
    [InlineData("m.txt")]
    [InlineData("m.csv.gz")]
    [InlineData("csv")]
    public void TextError_OtherExtension_NamesTheExtensionsAllowed(string text)
    {
        Assert.Equal($"manifest '{text}' is neither a .csv nor a .parquet file", Manifest.TextError(text));
    }

    [Fact]
    public void TextError_OneExtensionAllowed_SaysNotThatFile()
    {
        var field = new SourceField("labels", SourceFieldKind.File) { Extensions = [".gz"] };

        Assert.Equal("file 'l.txt' is not a .gz file", field.TextError("l.txt"));
    }

    [Fact]
    public void TextError_NoExtensionsDeclared_AcceptsAnyName()
    {
        Assert.Null(new SourceField("images", SourceFieldKind.File).TextError("train-images-idx3-ubyte"));
    }
}
