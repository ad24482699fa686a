using Pipeline.Classifier;
using Pipeline.FeatureStore;
using Pipeline.Inference;

namespace Pipeline.Tests.FeatureStore;

public sealed class FeatureStorePrecisionTests
{
    private const int Dimension = 4;

    [Fact]
    public void KeyValues_Int8Store_RoundTripsThePrecision()
    {
        var int8 = SyntheticFeatures.Metadata(Dimension) with { Precision = FeaturePrecision.Int8 };

        var keyValues = FeatureStoreKeyValues.ToKeyValues(int8);

        Assert.Equal("int8", keyValues["pipeline.precision"]);
        Assert.Equal(FeaturePrecision.Int8, FeatureStoreKeyValues.Parse(keyValues, "part").Precision);
    }

    [Fact]
    public void KeyValues_PartWrittenBeforePrecisions_IsFp32()
    {
        var keyValues = FeatureStoreKeyValues.ToKeyValues(SyntheticFeatures.Metadata(Dimension));
        keyValues.Remove("pipeline.precision");

        Assert.Equal(FeaturePrecision.Fp32, FeatureStoreKeyValues.Parse(keyValues, "part").Precision);
    }

    [Fact]
    public void KeyValues_UnknownPrecision_IsRefusedNamingTheKey()
    {
        var keyValues = FeatureStoreKeyValues.ToKeyValues(SyntheticFeatures.Metadata(Dimension));
        keyValues["pipeline.precision"] = "fp16";

        var e = Assert.Throws<InvalidDataException>(() => FeatureStoreKeyValues.Parse(keyValues, "part-00000.parquet"));

        Assert.Equal("Feature store part 'part-00000.parquet' has 'pipeline.precision' = 'fp16', which is neither fp32 nor int8.", e.Message);
    }

    [Theory]
    [InlineData(FeaturePrecision.Fp32, FeaturePrecision.Int8)]
    [InlineData(FeaturePrecision.Int8, FeaturePrecision.Fp32)]
    public void Classifier_FeaturesOfTheOtherPrecision_AreRefused(FeaturePrecision trainedOn, FeaturePrecision featurizedWith)
    {
        var classifier = FeaturizerSignature.FromMetadata(SyntheticFeatures.Metadata(Dimension) with { Precision = trainedOn });
        var store = SyntheticFeatures.Metadata(Dimension) with { Precision = featurizedWith };

        var e = Assert.Throws<InvalidDataException>(() => classifier.ThrowIfOtherThan(store, "Feature store 'x'", "the classifier expects", "featurize again"));

        Assert.Equal(
            $"Feature store 'x' was featurized by another featurizer than the classifier expects: it has pipeline.precision {Name(featurizedWith)} instead of {Name(trainedOn)}; featurize again.",
            e.Message);
        classifier.ThrowIfOtherThan(store with { Precision = trainedOn }, "Feature store 'x'", "the classifier expects", "featurize again");
    }

    [Fact]
    public void Store_ResumedWithTheOtherPrecision_IsRefused()
    {
        var fp32 = SyntheticFeatures.Metadata(Dimension);

        var e = Assert.Throws<InvalidDataException>(
            () => FeaturizerMismatch.ThrowIfDifferent(fp32 with { Precision = FeaturePrecision.Int8 }, fp32, FeaturizerMatch.Store, "Feature store 's'", "this run", "write to another output directory"));

        Assert.Contains("pipeline.precision fp32 instead of int8", e.Message, StringComparison.Ordinal);
    }

    private static string Name(FeaturePrecision precision) => precision.ToString().ToLowerInvariant();
}
