using System.Globalization;
using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>
/// The memory a training job needs, known from the store's footers before a row is read, and the
/// refusal of a store that will not fit: the trainer holds the whole matrix in memory (and
/// copies of it), so a store too large for the process is refused with the bound and the way out
/// rather than left to fail with an <see cref="OutOfMemoryException"/> part way through the read.
/// </summary>
/// <remarks>
/// The bound, in copies of the store's float32 matrix M = rows × dimension × 4 bytes (the arrays
/// <see cref="TrainingJob"/> keeps alive at its peak, during the fit):
/// <list type="bullet">
/// <item>the matrix as read (reading in path order may copy it once; the first copy is garbage by the fit);</item>
/// <item>with a held-out test fraction, the train and test subsets: one more M between them;</item>
/// <item>the standardised train rows the solver runs on: (1 − testFraction)·M;</item>
/// <item>a grid search: each concurrent fold fit standardises its own (folds − 1)/folds of the train rows.</item>
/// </list>
/// A separate test store adds its own matrix. On top come <see cref="BytesPerRow"/> for each row's
/// path and label strings and indices (and their copies in the subsets). The solver's own state
/// (L-BFGS history, per-thread tiles) is a few times dimension × classes doubles, negligible here.
/// That is what is alive at the peak; the GC needs <see cref="GcHeadroom"/> times as much.
/// </remarks>
internal static class TrainingMemory
{
    /// <summary>
    /// Per row beyond its features: the path string (a 60-character path is 140 bytes as a .NET
    /// string), the label string, the label index, and the references to them in the read set and
    /// the train/test subsets. An estimate from those sizes; at 512 features it is a twentieth of the bound.
    /// </summary>
    public const long BytesPerRow = 256;

    /// <summary>
    /// The heap the GC needs for the live arrays, measured (bench/README.md, 1,000,000 × 512): under a
    /// <c>DOTNET_GCHeapHardLimit</c> of 1.1 and 1.5 times the live bytes training ran out of memory while
    /// reading, at 2 times it trained. The read decodes each row group into transient arrays of its
    /// own (values and repetition and definition levels, on the large-object heap), and the matrix and
    /// its copies each need one contiguous block of gigabytes, which the freed row-group buffers
    /// cannot serve. Without a limit the process peaked at 2.0 times the live bytes too (11.35 GiB RSS).
    /// </summary>
    public const double GcHeadroom = 2;

    /// <summary>The bytes the job needs for a training store of <paramref name="rows"/> × <paramref name="dimension"/> (and a test store of <paramref name="testRows"/>).</summary>
    public static long RequiredBytes(long rows, int dimension, long testRows, TrainingJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var matrix = (double)rows * dimension * sizeof(float);
        var trainShare = options.TestFeaturesDirectory is null ? 1 - options.TestFraction : 1;
        var copies = 1.0;
        if (options.TestFeaturesDirectory is null && options.TestFraction > 0)
        {
            copies += 1;
        }

        copies += trainShare;
        if (options.IsGridSearch)
        {
            var points = (options.GridRegParams?.Count ?? 1) * (options.GridElasticNetParams?.Count ?? 1) * (options.GridStandardization?.Count ?? 1);
            var concurrent = Math.Min(Environment.ProcessorCount, points * options.Folds);
            copies += concurrent * trainShare * (options.Folds - 1) / options.Folds;
        }

        var testMatrix = (double)testRows * dimension * sizeof(float);
        return (long)(GcHeadroom * ((copies * matrix) + testMatrix + ((rows + testRows) * (double)BytesPerRow)));
    }

    /// <summary>
    /// The bytes <c>evaluate</c> needs for a store of <paramref name="rows"/> × <paramref name="dimension"/>
    /// scored on <paramref name="classes"/> classes: the matrix as read, a second matrix when the model takes
    /// a subset of the store's layers (<paramref name="selectsLayers"/>; the subset is copied out), each row's
    /// class probabilities (doubles), <see cref="BytesPerRow"/>, and <see cref="GcHeadroom"/> times all that.
    /// </summary>
    public static long EvaluationRequiredBytes(long rows, int dimension, int classes, bool selectsLayers)
    {
        var matrix = (double)rows * dimension * sizeof(float);
        var copies = selectsLayers ? 2 : 1;
        return (long)(GcHeadroom * ((copies * matrix) + (rows * (double)classes * sizeof(double)) + (rows * (double)BytesPerRow)));
    }

    /// <summary>
    /// What this process may allocate: the GC's limit (physical memory, or the container's cgroup
    /// limit, or <c>DOTNET_GCHeapHardLimit</c> when set, all of which .NET reads at start) less the
    /// heap already in use. Other processes' memory is not subtracted: on a shared machine the
    /// kernel, not this check, has the last word.
    /// </summary>
    public static long AvailableBytes()
    {
        var info = GC.GetGCMemoryInfo();
        return Math.Max(0, info.TotalAvailableMemoryBytes - GC.GetTotalMemory(forceFullCollection: false));
    }

    /// <summary>Refuses a store whose training (or with <paramref name="evaluation"/>, evaluation) needs more than <paramref name="availableBytes"/>.</summary>
    /// <exception cref="InsufficientMemoryException">It will not fit; one sentence with the bound and the way out.</exception>
    public static void EnsureFits(string storeDirectory, long rows, int dimension, long requiredBytes, long availableBytes, bool evaluation = false)
    {
        if (requiredBytes <= availableBytes)
        {
            return;
        }

        var culture = CultureInfo.InvariantCulture;
        var (job, uses, wayOut) = evaluation
            ? ("evaluation", "with each row's class probabilities", "evaluate a sample or one shard (featurize --shard 0/N into its own store), or score it with Spark")
            : ("training", "copied for the split and the standardised fit", "train on a sample or on one shard (featurize --shard 0/N into its own store), or fit it with Spark");
        throw new InsufficientMemoryException(string.Create(
            culture,
            $"Feature store '{storeDirectory}' holds {rows:N0} rows × {dimension} features, and {job} holds them in memory: it needs about {Gib(requiredBytes)} GiB ({Gib((long)rows * dimension * sizeof(float))} GiB of float32 features, {uses}, plus {BytesPerRow} bytes a row, and {GcHeadroom} times that for the GC), more than the {Gib(availableBytes)} GiB this process may use; {wayOut} (README, \"Stores larger than memory\")."));
    }

    private static string Gib(long bytes) => (bytes / (1024.0 * 1024 * 1024)).ToString("F2", CultureInfo.InvariantCulture);
}
