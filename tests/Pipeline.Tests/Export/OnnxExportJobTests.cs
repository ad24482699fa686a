using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Export;
using Pipeline.Tests.Classifier;

namespace Pipeline.Tests.Export;

[Collection(ClassifierCollection.Name)]
public sealed class OnnxExportJobTests(ClassifierFixture fixture)
{
    [Fact]
    public async Task RunAsync_BundledFeaturizer_WritesModelOnnxAndNamesItInModelJson()
    {
        var result = fixture.Export;

        Assert.Empty(result.Warnings);
        Assert.Equal(Path.Combine(fixture.ModelDirectory, ClassifierModel.OnnxFileName), result.OnnxPath);
        Assert.True(File.Exists(result.OnnxPath));
        Assert.Equal(result.OnnxPath, (await ClassifierModel.LoadAsync(fixture.ModelDirectory)).OnnxPath);
    }

    [Fact]
    public async Task RunAsync_FeaturesOfAnotherOnnxFile_ExportsNothingAndSaysWhy()
    {
        using var dir = new TempFolder();
        var trained = fixture.Training.Model;
        var model = new ClassifierModel(trained.Featurizer with { ModelSha256 = new string('0', 64) }, trained.Regression, trained.Training, trained.CreatedAt);
        await model.SaveAsync(dir.Path, onnxFileName: null, CancellationToken.None);

        var result = await OnnxExportJob.RunAsync(model, dir.Path, AppContext.BaseDirectory, NullLogger.Instance, CancellationToken.None);

        Assert.Null(result.OnnxPath);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(
            $"{ClassifierModel.OnnxFileName} was not exported: Model '{dir.Path}' was trained on features of ONNX SHA-256 {new string('0', 64)} (resnet18), but '{fixture.Model.OnnxPath}' has SHA-256 {trained.Featurizer.ModelSha256}; its head cannot be applied to that featurizer's features.",
            warning);
        Assert.False(File.Exists(Path.Combine(dir.Path, ClassifierModel.OnnxFileName)));
        Assert.Null((await ClassifierModel.LoadAsync(dir.Path)).OnnxPath);
    }
}
