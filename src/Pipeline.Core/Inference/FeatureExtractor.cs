using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Models;

namespace Pipeline.Inference;

/// <summary>
/// Runs a zoo model's featurizer graph (see <see cref="OnnxGraphEditor"/>) on batches of
/// preprocessed images with ONNX Runtime, on CUDA or the CPU.
/// </summary>
internal sealed class FeatureExtractor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames = [OnnxGraphEditor.FeatureOutput];
    private readonly long[] _imageShape;
    private readonly List<InferenceBatch> _batches = [];
    private readonly int _cpuRuns;

    /// <summary>Loads and edits the model and creates the session (CUDA first when the device allows it).</summary>
    /// <exception cref="ModelZooException">The file is not an ONNX model or does not match the spec (input, feature node).</exception>
    /// <exception cref="InvalidOperationException"><see cref="InferenceDevice.Cuda"/> was asked for and CUDA is unusable, or with int8.</exception>
    /// <param name="spec">The zoo entry.</param>
    /// <param name="onnxPath">The zoo file; its SHA-256 names the features whatever the precision.</param>
    /// <param name="options">Device, batch size, threads, precision.</param>
    /// <param name="logger">Where the device choice is reported.</param>
    /// <param name="quantizedPath">With <see cref="FeaturePrecision.Int8"/>, the quantized featurizer <see cref="Int8Calibrator"/> made from <paramref name="onnxPath"/>.</param>
    public FeatureExtractor(ModelSpec spec, string onnxPath, InferenceOptions options, ILogger? logger = null, string? quantizedPath = null)
    {
        Spec = spec;
        Options = options;
        logger ??= NullLogger.Instance;
        _inputNames = [spec.InputName];
        _imageShape = spec.Layout == TensorLayout.Nchw ? [options.BatchSize, 3, spec.InputSize, spec.InputSize] : [options.BatchSize, spec.InputSize, spec.InputSize, 3];
        if (options.Precision == FeaturePrecision.Int8 && quantizedPath is null)
        {
            throw new ArgumentException("int8 needs the quantized featurizer's path.", nameof(quantizedPath));
        }

        // ORT's integer QLinearConv/QLinearMatMul kernels are the CPU provider's; on CUDA the QDQ
        // graph would run dequantized, slower than the float model.
        if (options.Precision == FeaturePrecision.Int8 && options.Device == InferenceDevice.Cuda)
        {
            throw new InvalidOperationException("--precision int8 runs on the CPU only (ONNX Runtime's integer kernels); use --device cpu or auto.");
        }

        ModelSha256 = Sha256Of(onnxPath);
        _cpuRuns = ChooseConcurrentRuns(options, cuda: false);
        if (options.Device == InferenceDevice.Cpu || options.Precision == FeaturePrecision.Int8)
        {
            // The quantized file is loaded by ORT from its path: no managed copy of it is ever made.
            _session = options.Precision == FeaturePrecision.Int8
                ? CreateSession(o => new InferenceSession(quantizedPath!, o), cuda: false)
                : CreateFromEditedModel(spec, onnxPath, edited => CreateSession(o => new InferenceSession(edited, o), cuda: false));
            ExecutionProvider = "CPU";
        }
        else
        {
            var provider = "CPU";
            _session = CreateFromEditedModel(spec, onnxPath, edited => CreateCudaOrCpuSession(edited, spec, onnxPath, options, logger, out provider));
            ExecutionProvider = provider;
        }

        BatchSize = ChooseBatchSize(options, cuda: ExecutionProvider == "CUDA");
        ConcurrentRuns = ExecutionProvider == "CUDA" ? ChooseConcurrentRuns(options, cuda: true) : _cpuRuns;
        _imageShape[0] = BatchSize;
        IntraOpThreads = ExecutionProvider == "CUDA" ? 1 : CpuIntraOpThreads(options, _cpuRuns);
        logger.LogInformation(
            "Featurizing with {Model} ({Precision}) on {Provider}: batches of {Batch}, {Runs} run(s) at once, intra-op threads {Threads}",
            spec.Name,
            options.Precision.ToString().ToLowerInvariant(),
            ExecutionProvider,
            BatchSize,
            ConcurrentRuns,
            IntraOpThreads > 0 ? IntraOpThreads.ToString(System.Globalization.CultureInfo.InvariantCulture) : "one per physical core");
    }

    /// <summary>An explicit batch size, or the device's default (see <see cref="Settings.SettingCatalog.Featurize.CpuBatchSize"/>).</summary>
    internal static int ChooseBatchSize(InferenceOptions options, bool cuda) =>
        options.BatchSize > 0 ? options.BatchSize : cuda ? Settings.SettingCatalog.Featurize.CudaBatchSize : Settings.SettingCatalog.Featurize.CpuBatchSize;

    /// <summary>
    /// An explicit count, or the device's default: one on CUDA, where the GPU serialises kernels
    /// anyway; on the CPU <see cref="Settings.SettingCatalog.Featurize.CpuConcurrentRuns"/>, at most one per core.
    /// </summary>
    internal static int ChooseConcurrentRuns(InferenceOptions options, bool cuda) =>
        options.ConcurrentRuns > 0 ? options.ConcurrentRuns
        : cuda ? 1
        : Math.Min(Settings.SettingCatalog.Featurize.CpuConcurrentRuns, Environment.ProcessorCount);

    /// <summary>
    /// The session's intra-op threads on the CPU: the explicit count, else with several runs one
    /// thread per core in all, else (one run) 0, ORT's one per physical core. The session's pool
    /// (intra-op − 1 threads) serves every concurrent Run, and each Run's calling thread works too,
    /// so cores − runs + 1 keeps one thread per core: 1 on 2 cores with 2 runs, no pool at all.
    /// </summary>
    internal static int CpuIntraOpThreads(InferenceOptions options, int concurrentRuns) =>
        options.IntraOpThreads > 0 ? options.IntraOpThreads
        : concurrentRuns > 1 ? Math.Max(1, Environment.ProcessorCount - concurrentRuns + 1)
        : 0;

    /// <summary>
    /// Creates the session on the zoo file edited by <see cref="OnnxGraphEditor"/>, serialised in
    /// memory. No temporary file: a featurize must not need a writable temp folder, its free space
    /// or the file size limit, nor leave 45 MB behind when killed.
    /// </summary>
    /// <remarks>
    /// Model copies in the large-object heap (ResNet18's weights are 45 MB a copy) are only returned
    /// by a full collection, which a run that allocates little may not have for minutes, so they
    /// would sit under ORT's session and then under the whole run. One compacting collection once the
    /// parsed graph is garbage and one once the bytes are keep ORT's copy beside at most one of ours:
    /// on 500 digits the peak RSS was 390–397 MiB in three runs with them and 457–552 MiB without.
    /// Each pauses the process's threads, the other runs of a hosted worker too, for a few
    /// milliseconds once per featurizer start; a background collection does not compact and did not
    /// bring the peak down.
    /// </remarks>
    private static InferenceSession CreateFromEditedModel(ModelSpec spec, string onnxPath, Func<byte[], InferenceSession> create)
    {
        var featurizer = EditedFeaturizer(spec, onnxPath);
        ReleaseModelCopies();
        try
        {
            return create(featurizer);
        }
        finally
        {
            featurizer = null;
            ReleaseModelCopies();
        }
    }

    private static void ReleaseModelCopies()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static byte[] EditedFeaturizer(ModelSpec spec, string onnxPath)
    {
        var model = OnnxModelFile.Read(onnxPath);
        OnnxGraphEditor.ToFeaturizer(model, spec, onnxPath);
        return model.ToByteArray();
    }

    private static string Sha256Of(string onnxPath)
    {
        using var file = File.OpenRead(onnxPath);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private InferenceSession CreateCudaOrCpuSession(byte[] featurizer, ModelSpec spec, string onnxPath, InferenceOptions options, ILogger logger, out string provider)
    {
        try
        {
            provider = "CUDA";
            return CreateSession(o => new InferenceSession(featurizer, o), cuda: true);
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            var reason = CudaUnavailableReason.From(e);
            if (options.Device == InferenceDevice.Cuda)
            {
                throw new InvalidOperationException($"--device cuda: the CUDA execution provider is unusable for '{onnxPath}': {reason}.", e);
            }

            // Expected on every CPU-only machine, so one short line, not a warning; the whole ORT error is for debugging.
            logger.LogInformation("CUDA is not available ({Reason}); featurizing '{Model}' on the CPU.", reason, spec.Name);
            logger.LogDebug(e, "The CUDA execution provider could not start for '{Model}'.", spec.Name);
            provider = "CPU";
            return CreateSession(o => new InferenceSession(featurizer, o), cuda: false);
        }
    }

    public ModelSpec Spec { get; }

    public InferenceOptions Options { get; }

    /// <summary>fp32, or int8 when the session runs the quantized featurizer.</summary>
    public FeaturePrecision Precision => Options.Precision;

    /// <summary>"CUDA" or "CPU": where the session actually runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>SHA-256 of the ONNX file as given (before editing), lowercase hex.</summary>
    public string ModelSha256 { get; }

    /// <summary>The graph tensor(s) read: see <see cref="ModelSpec.FeatureNodes"/>.</summary>
    public string FeatureNode => Spec.FeatureNodes;

    public int FeatureDimension => Spec.FeatureDimension;

    /// <summary>Images per Run: the option, or the device's default when it is 0.</summary>
    public int BatchSize { get; }

    /// <summary>How many <see cref="Run"/>s the featurization graph keeps in flight at once, each on a batch of its own.</summary>
    public int ConcurrentRuns { get; }

    /// <summary>ORT intra-op threads, as the session was made (its pool serves every concurrent run); 0: ORT's one per physical core.</summary>
    public int IntraOpThreads { get; }

    /// <summary>Floats per preprocessed image.</summary>
    public int ImageLength => Spec.ImageLength;

    /// <summary>A new set of batch buffers; the pipeline keeps a few in rotation so one is packed while another runs.</summary>
    internal InferenceBatch CreateBatch()
    {
        var batch = new InferenceBatch(this, BatchSize, ImageLength, FeatureDimension, _imageShape);
        lock (_batches)
        {
            _batches.Add(batch);
        }

        return batch;
    }

    /// <summary>
    /// Featurizes slots 0..Count−1 of <paramref name="batch"/> into its feature buffer. Runs on
    /// different batches may go at once (an ORT session is safe for concurrent Runs; each batch has
    /// its own RunOptions); cancellation aborts that batch's Run in progress (RunOptions.Terminate)
    /// and throws <see cref="OperationCanceledException"/>, leaving the extractor usable.
    /// </summary>
    internal void Run(InferenceBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (!ReferenceEquals(batch.Owner, this))
        {
            throw new ArgumentException("The batch was created by another FeatureExtractor.", nameof(batch));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (batch.Count == 0)
        {
            return;
        }

        var (inputs, outputs) = batch.Values();

        var runOptions = batch.RunOptions;
        var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((RunOptions)state!).Terminate = true, runOptions)
            : default;
        try
        {
            _session.Run(runOptions, _inputNames, inputs, _outputNames, outputs);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Featurization was cancelled during an ONNX Runtime run.", e, cancellationToken);
        }
        finally
        {
            // Dispose waits for a callback in flight, so after it Terminate is no longer set
            // behind our back; clear it or the batch's every later Run would abort at once.
            registration.Dispose();
            if (cancellationToken.IsCancellationRequested)
            {
                runOptions.Terminate = false;
            }
        }
    }

    /// <summary>A session that <paramref name="open"/> makes (from a file ORT reads itself, or from bytes) with the run's options.</summary>
    private InferenceSession CreateSession(Func<SessionOptions, InferenceSession> open, bool cuda)
    {
        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", Options.AllowSpinning ? "1" : "0");
        if (cuda)
        {
            using var cudaOptions = new OrtCUDAProviderOptions();
            cudaOptions.UpdateOptions(new Dictionary<string, string> { ["device_id"] = Options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            options.AppendExecutionProvider_CUDA(cudaOptions);
            // CPU threads only feed the GPU here (onnxruntime#20494).
            options.IntraOpNumThreads = 1;
        }
        else
        {
            options.IntraOpNumThreads = CpuIntraOpThreads(Options, _cpuRuns);
        }

        var session = open(options);
        if (cuda)
        {
            WarmUp(session);
        }

        return session;
    }

    // Creating a CUDA session can succeed while kernels cannot run (no device, driver mismatch);
    // one batch-1 Run proves the provider works before the pipeline commits to it.
    private void WarmUp(InferenceSession session)
    {
        try
        {
            var shape = (long[])_imageShape.Clone();
            shape[0] = 1;
            using var input = OrtValue.CreateTensorValueFromMemory(new float[ImageLength], shape);
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, _inputNames, [input], _outputNames);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_batches)
        {
            foreach (var batch in _batches)
            {
                batch.Dispose();
            }

            _batches.Clear();
        }

        _session.Dispose();
    }
}
