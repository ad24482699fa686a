using Pipeline.Models;

namespace Pipeline.Tests.Models;

public sealed class ModelZooTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("zoo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Load_ShippedZoo_HasSparkModelsAndResNet18WithExpectedShapes()
    {
        var zoo = ShippedZoo.Load();

        var dims = zoo.Models.ToDictionary(m => m.Name, m => (m.InputSize, m.FeatureDimension));
        Assert.Equal((299, 2048), dims["inceptionv3"]);
        Assert.Equal((299, 2048), dims["xception"]);
        Assert.Equal((224, 2048), dims["resnet50"]);
        Assert.Equal((224, 512), dims["vgg16"]);
        Assert.Equal((224, 512), dims["vgg19"]);
        Assert.Equal((224, 512), dims["resnet18"]);
        // Spark's DeepImageFeaturizer flattens mixed10 without pooling: 8x8x2048.
        Assert.Equal(131_072, (zoo.Get("inceptionv3") with { Pooling = FeaturePooling.None }).FeatureDimension);
        Assert.Equal(204_800, (zoo.Get("xception") with { Pooling = FeaturePooling.None }).FeatureDimension);
        Assert.Equal(25_088, (zoo.Get("vgg16") with { Pooling = FeaturePooling.None }).FeatureDimension);
    }

    [Fact]
    public void Load_ShippedResNet18_IsBundledMeanImageBgr()
    {
        var spec = ShippedZoo.Load().Get("ResNet18");

        Assert.True(spec.Bundled);
        Assert.Equal("Input247", spec.InputName);
        Assert.Equal("Pooling395_Output_0", spec.FeatureNode);
        Assert.Equal(ChannelOrder.Bgr, spec.ChannelOrder);
        Assert.Equal(Normalization.MeanImage, spec.Normalization);
        Assert.Equal(new MeanImageSource("DnnImageModels/ResNetPrepOnnx/ResNetPreprocess.onnx", "MeanImage"), spec.MeanImage);
        Assert.Equal(ResizeRule.Stretch, spec.Resize);
    }

    [Fact]
    public void Resolve_BundledResNet18_FindsModelAndMeanImageUnderBaseDirectory()
    {
        var resolved = ShippedZoo.Load().Resolve("resnet18", _dir);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"), resolved.OnnxPath);
        Assert.True(File.Exists(resolved.MeanImagePath));
    }

    [Fact]
    public void Resolve_UnknownModel_ListsKnownModels()
    {
        var e = Assert.Throws<ModelZooException>(() => ShippedZoo.Load().Resolve("mobilenet", _dir));

        Assert.Contains("Unknown model 'mobilenet'", e.Message);
        Assert.Contains("inceptionv3, xception, resnet50, vgg16, vgg19, resnet18", e.Message);
    }

    [Fact]
    public void Resolve_MissingFile_SaysWhereToPutItAndHowToGetIt()
    {
        var e = Assert.Throws<ModelZooException>(() => ShippedZoo.Load().Resolve("resnet50", _dir));

        Assert.Contains($"put it at '{Path.Combine(_dir, "resnet50.onnx")}'", e.Message);
        Assert.Contains("scripts/export_torchvision_models.py", e.Message);
    }

    [Fact]
    public void Resolve_FilePresent_ReturnsItsPath()
    {
        File.WriteAllBytes(Path.Combine(_dir, "vgg16.onnx"), [1]);

        var resolved = ShippedZoo.Load().Resolve("vgg16", _dir);

        Assert.Equal(Path.Combine(_dir, "vgg16.onnx"), resolved.OnnxPath);
        Assert.Null(resolved.MeanImagePath);
    }

    [Fact]
    public void List_ReportsPresence()
    {
        File.WriteAllBytes(Path.Combine(_dir, "xception.onnx"), [1]);

        var listing = ShippedZoo.Load().List(_dir).ToDictionary(l => l.Spec.Name);

        Assert.True(listing["xception"].Present);
        Assert.False(listing["vgg19"].Present);
        Assert.True(listing["resnet18"].Present);
        Assert.Equal(Path.Combine(_dir, "vgg19.onnx"), listing["vgg19"].Path);
    }

    [Theory]
    [InlineData("layout: NCWH", "models.m.layout is 'NCWH'; allowed: NCHW, NHWC")]
    [InlineData("inputSize: 0", "models.m.inputSize must be an integer in 1..4096")]
    [InlineData("featureShape: [1, 2]", "models.m.featureShape must list 1 or 3 positive sizes")]
    [InlineData("resize: center-crop", "models.m.shorterSide must be an integer ≥ inputSize (8) for center-crop")]
    [InlineData("normalization: mean-image", "models.m.meanImage is required when normalization is mean-image")]
    public void Parse_InvalidEntry_NamesFileAndKey(string replacement, string expected)
    {
        var key = replacement[..replacement.IndexOf(':')];
        var lines = ValidEntry.Split('\n').Select(l => l.TrimStart().StartsWith(key + ":", StringComparison.Ordinal) ? "    " + replacement : l);

        var e = Assert.Throws<ModelZooException>(() => ModelZoo.Parse(string.Join('\n', lines), "zoo.yaml"));

        Assert.StartsWith("zoo.yaml: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Parse_MalformedYaml_NamesFileAndLine()
    {
        var e = Assert.Throws<ModelZooException>(() => ModelZoo.Parse(ValidEntry + "\n    inputSize: [", "zoo.yaml"));

        Assert.StartsWith("zoo.yaml line ", e.Message);
    }

    [Fact]
    public void Parse_ValidEntry_DefaultsPoolingToGlobalAverage()
    {
        var spec = ModelZoo.Parse(ValidEntry, "zoo.yaml").Get("m");

        Assert.Equal(FeaturePooling.GlobalAverage, spec.Pooling);
        Assert.Equal(4, spec.FeatureDimension);
        Assert.Equal(TensorLayout.Nchw, spec.Layout);
        Assert.Equal(Normalization.Torch, spec.Normalization);
    }

    [Fact]
    public void Parse_Layers_KeepsZooOrderAndRefusesAShapeThatIsNotAMap()
    {
        var layered = ValidEntry + "\n    layers:\n      late: { node: g, shape: [16, 2, 2] }\n      early: { node: e, shape: [4, 8, 8] }";
        var flat = ValidEntry + "\n    layers:\n      bad: { node: g, shape: [16, 2] }";

        var spec = ModelZoo.Parse(layered, "zoo.yaml").Get("m");
        var e = Assert.Throws<ModelZooException>(() => ModelZoo.Parse(flat, "zoo.yaml"));

        Assert.Equal(["late", "early"], spec.AvailableLayers.Select(l => l.Name));
        Assert.Empty(spec.Layers);
        Assert.Equal(16 + 4, spec.WithLayers(["late", "early"]).FeatureDimension);
        Assert.Equal(5 * (16 + 4), (spec with { Pooling = FeaturePooling.SpatialPyramid }).WithLayers(["late", "early"]).FeatureDimension);
        Assert.Equal("zoo.yaml: models.m.layers.bad.shape must list 1 or 3 positive sizes (the node's shape without the batch axis).", e.Message);
    }

    private const string ValidEntry = """
        models:
          m:
            file: m.onnx
            input: input
            inputSize: 8
            layout: NCHW
            channelOrder: RGB
            normalization: torch
            resize: stretch
            featureNode: f
            featureShape: [4, 8, 8]
            howToGet: make it
        """;
}
