using Pipeline.Models;

namespace Pipeline.Tests.Models;

public sealed class OnnxInitializerTests
{
    [Fact]
    public void ReadFloats_FileNotOnnx_ThrowsModelZooExceptionNamingTheFile()
    {
        using var folder = new TempFolder();
        var file = folder.Write("ResNetPreprocess.onnx", "not an ONNX model"u8.ToArray());

        var e = Assert.Throws<ModelZooException>(() => OnnxInitializer.ReadFloats(file, "MeanImage"));

        Assert.StartsWith($"'{file}' is not an ONNX model (", e.Message, StringComparison.Ordinal);
    }
}
