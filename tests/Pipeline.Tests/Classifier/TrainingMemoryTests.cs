using Pipeline.Classifier;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

/// <summary>The trainer's memory bound and its refusal, on numbers (the real process under a heap limit is in Cli/TrainMemoryLimitTests).</summary>
public sealed class TrainingMemoryTests
{
    private const long Rows = 1_000_000;
    private const int Dimension = 512;
    private const long Matrix = Rows * Dimension * sizeof(float);
    private const long Strings = Rows * TrainingMemory.BytesPerRow;

    // The bound is computed in doubles and truncated to whole bytes.
    private const double Rounding = 1;

    [Fact]
    public void RequiredBytes_DefaultSplit_IsTheStoreItsTrainAndTestCopiesAndTheStandardisedTrainRows()
    {
        var options = new TrainingJobOptions { FeaturesDirectory = "store", OutputDirectory = "model" };

        // 1 (as read) + 1 (train 0.8 + test 0.2) + 0.8 (standardised train rows) = 2.8 matrices alive at the peak.
        Assert.Equal(TrainingMemory.GcHeadroom * ((2.8 * Matrix) + Strings), TrainingMemory.RequiredBytes(Rows, Dimension, 0, options), Rounding);
    }

    [Fact]
    public void RequiredBytes_TestFractionZero_IsTheStoreAndItsStandardisedCopy()
    {
        var options = new TrainingJobOptions { FeaturesDirectory = "store", OutputDirectory = "model", TestFraction = 0 };

        Assert.Equal(TrainingMemory.GcHeadroom * ((2.0 * Matrix) + Strings), TrainingMemory.RequiredBytes(Rows, Dimension, 0, options), Rounding);
    }

    [Fact]
    public void RequiredBytes_TestStore_AddsItsMatrixAndRows()
    {
        var options = new TrainingJobOptions { FeaturesDirectory = "store", OutputDirectory = "model", TestFeaturesDirectory = "test" };

        Assert.Equal(TrainingMemory.GcHeadroom * ((2.25 * Matrix) + (Rows * 5 / 4 * TrainingMemory.BytesPerRow)), TrainingMemory.RequiredBytes(Rows, Dimension, Rows / 4, options), Rounding);
    }

    [Fact]
    public void RequiredBytes_GridSearch_AddsOneStandardisedFoldPerConcurrentFit()
    {
        var options = new TrainingJobOptions
        {
            FeaturesDirectory = "store", OutputDirectory = "model", TestFraction = 0, GridRegParams = [0.01, 0.1, 1, 10], GridElasticNetParams = [0, 1], Folds = 4,
        };
        var concurrent = Math.Min(Environment.ProcessorCount, 8 * 4);

        Assert.Equal(TrainingMemory.GcHeadroom * (((2 + (concurrent * 0.75)) * Matrix) + Strings), TrainingMemory.RequiredBytes(Rows, Dimension, 0, options), Rounding);
    }

    [Fact]
    public void EnsureFits_MoreThanAvailable_ThrowsOneSentenceWithTheBoundAndTheWayOut()
    {
        var error = Assert.Throws<InsufficientMemoryException>(() => TrainingMemory.EnsureFits("/data/store", Rows, Dimension, 6L << 30, 4L << 30));

        Assert.Equal(
            "Feature store '/data/store' holds 1,000,000 rows × 512 features, and training holds them in memory: it needs about 6.00 GiB (1.91 GiB of float32 features, copied for the split and the standardised fit, plus 256 bytes a row, and 2 times that for the GC), more than the 4.00 GiB this process may use; train on a sample or on one shard (featurize --shard 0/N into its own store), or fit it with Spark (README, \"Stores larger than memory\").",
            error.Message);
    }

    [Fact]
    public void EnsureFits_AtMostAvailable_Passes()
    {
        TrainingMemory.EnsureFits("/data/store", Rows, Dimension, 4L << 30, 4L << 30);
    }

    [Fact]
    public void AvailableBytes_NoLimit_IsPositiveAndAtMostTheGcLimit()
    {
        var available = TrainingMemory.AvailableBytes();

        Assert.InRange(available, 1, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes);
    }
}
