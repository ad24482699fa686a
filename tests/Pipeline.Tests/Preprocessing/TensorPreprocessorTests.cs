using Pipeline.Models;
using Pipeline.Preprocessing;
using Pipeline.Tests.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Preprocessing;

public sealed class TensorPreprocessorTests
{
    // Float32 arithmetic on values of magnitude ≤ 255: 1e-4 absolute is far above rounding and far below any wrong constant.
    private const double Tolerance = 1e-4;

    private static ModelSpec Spec(TensorLayout layout, ChannelOrder order, Normalization normalization, int size = 2) =>
        new("t", "t.onnx", false, "input", size, layout, order, normalization, null, ResizeRule.Stretch, "f", [4, 1, 1], FeaturePooling.GlobalAverage, "n/a");

    // 2x2 image: pixel (x=1, y=0) is (10, 20, 30); the others are (0, 0, 0) except (x=0, y=1) = (255, 128, 1).
    private static Image<Rgb24> Image2x2()
    {
        var image = new Image<Rgb24>(2, 2);
        image[1, 0] = new Rgb24(10, 20, 30);
        image[0, 1] = new Rgb24(255, 128, 1);
        return image;
    }

    private static float[] Run(ModelSpec spec, string? meanPath = null)
    {
        using var image = Image2x2();
        var pre = new TensorPreprocessor(spec, meanPath);
        var output = new float[pre.ImageLength];
        pre.Write(image, output);
        return output;
    }

    [Fact]
    public void Write_TfNchwRgb_ScalesToMinusOneOne()
    {
        var x = Run(Spec(TensorLayout.Nchw, ChannelOrder.Rgb, Normalization.Tf));

        // Planes R, G, B of 4 pixels each; pixel index 1 is (x=1, y=0).
        Assert.Equal(10 / 127.5 - 1, x[0 * 4 + 1], Tolerance);
        Assert.Equal(20 / 127.5 - 1, x[1 * 4 + 1], Tolerance);
        Assert.Equal(30 / 127.5 - 1, x[2 * 4 + 1], Tolerance);
        Assert.Equal(1.0, x[0 * 4 + 2], Tolerance);
        Assert.Equal(-1.0, x[0], Tolerance);
    }

    [Fact]
    public void Write_CaffeNchwBgr_SubtractsBgrMeansWithoutScaling()
    {
        var x = Run(Spec(TensorLayout.Nchw, ChannelOrder.Bgr, Normalization.Caffe));

        Assert.Equal(30 - 103.939, x[0 * 4 + 1], Tolerance);
        Assert.Equal(20 - 116.779, x[1 * 4 + 1], Tolerance);
        Assert.Equal(10 - 123.68, x[2 * 4 + 1], Tolerance);
        Assert.Equal(1 - 103.939, x[0 * 4 + 2], Tolerance);
    }

    [Fact]
    public void Write_TorchNchwRgb_UsesImageNetMeanAndStd()
    {
        var x = Run(Spec(TensorLayout.Nchw, ChannelOrder.Rgb, Normalization.Torch));

        Assert.Equal((10 / 255.0 - 0.485) / 0.229, x[0 * 4 + 1], Tolerance);
        Assert.Equal((20 / 255.0 - 0.456) / 0.224, x[1 * 4 + 1], Tolerance);
        Assert.Equal((30 / 255.0 - 0.406) / 0.225, x[2 * 4 + 1], Tolerance);
    }

    [Fact]
    public void Write_Nhwc_InterleavesChannelsPerPixel()
    {
        var x = Run(Spec(TensorLayout.Nhwc, ChannelOrder.Bgr, Normalization.Caffe));

        // Pixel 1 occupies floats 3..5 as B, G, R.
        Assert.Equal(30 - 103.939, x[3], Tolerance);
        Assert.Equal(20 - 116.779, x[4], Tolerance);
        Assert.Equal(10 - 123.68, x[5], Tolerance);
        // Pixel 2 (x=0, y=1) = (255, 128, 1).
        Assert.Equal(1 - 103.939, x[6], Tolerance);
        Assert.Equal(255 - 123.68, x[8], Tolerance);
    }

    [Fact]
    public void Write_MeanImage_SubtractsResNetPreprocessMeanAtThatPixel()
    {
        var resolved = ShippedZoo.ResNet18();
        var (mean, _) = OnnxInitializer.ReadFloats(resolved.MeanImagePath!, "MeanImage");
        var pre = new TensorPreprocessor(resolved.Spec, resolved.MeanImagePath);
        using var image = new Image<Rgb24>(224, 224);
        image[37, 100] = new Rgb24(10, 20, 30);
        var x = new float[pre.ImageLength];

        pre.Write(image, x);

        const int plane = 224 * 224, at = 100 * 224 + 37;
        // ResNetPreprocess.onnx: B,G,R planes minus MeanImage (≈102.0/115.2/123.4 at this pixel).
        Assert.Equal(30 - mean[0 * plane + at], x[0 * plane + at], Tolerance);
        Assert.Equal(20 - mean[1 * plane + at], x[1 * plane + at], Tolerance);
        Assert.Equal(10 - mean[2 * plane + at], x[2 * plane + at], Tolerance);
        Assert.Equal(-mean[0], x[0], Tolerance);
        Assert.Equal(102.0213, mean[0 * plane + at], 1e-3);
    }

    [Fact]
    public void Write_WrongImageSize_Throws()
    {
        var pre = new TensorPreprocessor(Spec(TensorLayout.Nchw, ChannelOrder.Rgb, Normalization.Tf, size: 3));
        using var image = Image2x2();

        var e = Assert.Throws<ArgumentException>(() => pre.Write(image, new float[pre.ImageLength]));

        Assert.Contains("needs 3x3", e.Message);
    }

    [Fact]
    public void Describe_ResNet18_IsCanonical()
    {
        var resolved = ShippedZoo.ResNet18();

        var text = new TensorPreprocessor(resolved.Spec, resolved.MeanImagePath).Describe();

        Assert.Equal("resize=stretch to 224x224; layout=NCHW; channels=BGR; normalization=mean-image(ResNetPreprocess.onnx:MeanImage); pooling=global-average", text);
    }
}
