using System.Text.RegularExpressions;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

public sealed class FeaturizerMismatchTests
{
    private const int Dimension = 4;

    /// <summary>The one shape of every refusal: subject, what it was compared with, the differing keys with both values, the remedy.</summary>
    private static readonly Regex Shape = new(
        @"^(?<place>.+) was featurized by another featurizer than (?<reference>.+): it has (?<differences>pipeline\.dimension 8 instead of 4); (?<remedy>[^;]+)\.$",
        RegexOptions.CultureInvariant);

    [Fact]
    public void ThrowIfDifferent_EveryStoreKeyDiffers_NamesEachKeyWithBothValues()
    {
        var expected = SyntheticFeatures.Metadata(Dimension);
        var found = new FeatureStoreMetadata("resnet50", new string('f', 64), "other_node", 8, "stretch 299x299", ["cat"], expected.CreatedAt);

        var e = Assert.Throws<InvalidDataException>(
            () => FeaturizerMismatch.ThrowIfDifferent(expected, found, FeaturizerMatch.Store, "Feature store 'x'", "this run", "write elsewhere"));

        Assert.Equal(
            "Feature store 'x' was featurized by another featurizer than this run: it has "
            + "pipeline.model 'resnet50' instead of 'resnet18', "
            + "pipeline.model_sha256 ffffffffffff… (resnet50) instead of 0123456789ab… (resnet18), "
            + "pipeline.feature_node 'other_node' instead of 'Pooling395_Output_0', "
            + "pipeline.dimension 8 instead of 4, "
            + "pipeline.preprocessing 'stretch 299x299' instead of 'stretch 224x224; BGR; mean-subtract ImageNet; NCHW', "
            + "pipeline.classes [cat] instead of [cat, dog, eel]; write elsewhere.",
            e.Message);
    }

    [Fact]
    public void ThrowIfDifferent_OnlyNameClassesAndTimestampDiffer_AcceptsFeaturesButNotAStore()
    {
        var expected = SyntheticFeatures.Metadata(Dimension);
        var found = expected with { ModelName = "alias", Classes = ["x"], CreatedAt = DateTimeOffset.UnixEpoch, ModelSha256 = expected.ModelSha256.ToUpperInvariant() };

        FeaturizerMismatch.ThrowIfDifferent(expected, found, FeaturizerMatch.Features, "p", "r", "m");
        FeaturizerMismatch.ThrowIfDifferent(expected, expected with { CreatedAt = DateTimeOffset.UnixEpoch }, FeaturizerMatch.Store, "p", "r", "m");
        var e = Assert.Throws<InvalidDataException>(() => FeaturizerMismatch.ThrowIfDifferent(expected, found, FeaturizerMatch.Store, "p", "r", "m"));
        Assert.Equal("p was featurized by another featurizer than r: it has pipeline.model 'alias' instead of 'resnet18', pipeline.classes [x] instead of [cat, dog, eel]; m.", e.Message);
    }

    [Theory]
    [InlineData("writer")]
    [InlineData("reader")]
    [InlineData("cache")]
    [InlineData("classifier")]
    [InlineData("prediction")]
    public async Task EveryCheck_FeaturesOfAnotherDimension_RefusesWithTheOneMessageShape(string check)
    {
        using var dir = new TempFolder();
        var expected = SyntheticFeatures.Metadata(Dimension);
        var found = SyntheticFeatures.Metadata(8);
        var signature = FeaturizerSignature.FromMetadata(expected);
        var store = dir.Combine("store");
        if (check != "prediction")
        {
            await WriteStoreAsync(store, check == "reader" ? expected : found);
        }

        Func<Task> refused = check switch
        {
            "writer" => async () => await FeatureStoreWriter.CreateAsync(store, expected, new FeatureStoreOptions(), CancellationToken.None),
            "reader" => async () =>
            {
                await WriteStoreAsync(dir.Combine("other"), found);
                File.Copy(dir.Combine("other", "features", "part-00000.parquet"), Path.Combine(store, "features", "part-00001.parquet"));
                await FeatureStoreReader.OpenAsync(store);
            },
            "cache" => () => FeaturizationCache.LoadAsync(store, expected, CancellationToken.None),
            "classifier" => async () => FeatureCompatibility.LabelsFor(signature, SyntheticFeatures.Classes, await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync(), $"Feature store '{store}'"),
            _ => () =>
            {
                signature.ThrowIfOtherThan(found, "The input 'x'", "model 'm' expects", "its head cannot be applied to these features");
                return Task.CompletedTask;
            },
        };

        var e = await Assert.ThrowsAsync<InvalidDataException>(refused);

        var match = Shape.Match(e.Message);
        Assert.True(match.Success, e.Message);
        Assert.Contains(check is "prediction" ? "'x'" : "store", match.Groups["place"].Value, StringComparison.Ordinal);
    }

    private static async Task WriteStoreAsync(string directory, FeatureStoreMetadata metadata)
    {
        await using var writer = await FeatureStoreWriter.CreateAsync(directory, metadata, new FeatureStoreOptions(), CancellationToken.None);
        await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, batch: 3);
        await writer.CompleteAsync(CancellationToken.None);
    }
}
