namespace Pipeline.Settings;

/// <summary>
/// Every setting of the product, each defined once. A pipeline-file section is its list of
/// definitions (<see cref="Sections"/>); the service and worker settings are the configuration-only
/// rest. Fields are initialised in the order written, so each section's list comes after its settings.
/// </summary>
internal static class SettingCatalog
{
    /// <summary>The pipeline-file sections made only of settings, in file order.</summary>
    public static IReadOnlyList<SettingSection> Sections => [Featurize.Section, Limits.Section, Stream.Section, Split.Section, Train.Section, Grid.Section, Evaluate.Section];

    /// <summary>Every setting: the sections', then the feature store's command-line ones, the service's and the worker's.</summary>
    public static IReadOnlyList<Setting> All => [.. Sections.SelectMany(s => s.Settings), .. Model.All, .. Store.All, .. Service.All, .. Worker.All, .. Metrics.All];

    /// <summary>Which nodes of the model the features come from (YAML <c>model</c>, beside its name and prefer list).</summary>
    public static class Model
    {
        /// <summary>
        /// Zoo layers to read, pooled each and concatenated in the order given; empty reads the zoo's
        /// feature node alone. Comma-separated on the command line, a list in a pipeline file.
        /// </summary>
        public static readonly Setting<string> Layers = new("layers", "", "Zoo layers to read, comma-separated, pooled each and concatenated in this order (resnet18: stage1,stage2,stage3,stage4); empty reads the zoo's feature node.")
        {
            Option = "--layers",
        };

        /// <summary>
        /// How each map becomes a vector: global-average, none or spatial-pyramid; empty takes the zoo
        /// entry's. The command line's <c>--pooling</c> (featurize only) names the same choices.
        /// </summary>
        public static readonly Setting<string> Pooling = new("pooling", "", "How each feature map becomes a vector: global-average, none or spatial-pyramid (global average and a 2x2 grid, 5 values per channel); empty takes the zoo's.");

        /// <summary>
        /// How an image is brought to the input size: stretch, pad (letterbox with black) or
        /// center-crop; empty takes the zoo entry's rule. Part of the recorded preprocessing, so
        /// features of two policies are never mixed and predict decodes as training did.
        /// </summary>
        public static readonly Setting<string> Resize = new("resize", "", "How an image reaches the model's square input: stretch (ignore the aspect ratio), pad (centre it on a black square, then scale) or center-crop (scale the shorter side, cut the centre); empty takes the zoo's (resnet18: stretch).")
        {
            Option = "--resize",
        };

        /// <summary>The model section's settings.</summary>
        public static IReadOnlyList<Setting> All => [Layers, Pooling, Resize];
    }

    /// <summary>How images become feature rows (YAML <c>featurize</c>); batch size, parallelism and device also service defaults.</summary>
    public static class Featurize
    {
        /// <summary>
        /// Images per inference batch; 0 (the default) lets the device choose: <see cref="CpuBatchSize"/>
        /// on the CPU, <see cref="CudaBatchSize"/> on CUDA. An explicit value wins on either.
        /// </summary>
        public static readonly NumberSetting<int> BatchSize = new("batchSize", 0, new NumberRange(0, 4096), "Images per inference batch; 0 chooses per device (CPU 1, CUDA 64).")
        {
            Option = "--batch-size",
            ConfigurationKey = "BatchSize",
        };

        /// <summary>
        /// The CPU's batch when none is given. With <see cref="CpuConcurrentRuns"/> runs in flight,
        /// batch 1 already reaches the batch-1 ceiling, and every image more in a batch costs its input
        /// tensor in each rotating slot and its activations in ORT's arena. On the idle 2-core EPYC
        /// (bench/README.md, 2026-12-02), one run per batch: 5000 digits at batch 1 reached 0.92 of the
        /// ceiling at 367 MiB and at 32 1.10 at 706 MiB; two runs at batch 4 were 1.05x two at batch 1
        /// for 30 MiB more. So 1: the ceiling at the least memory.
        /// </summary>
        public const int CpuBatchSize = 1;

        /// <summary>
        /// ONNX Runtime runs the CPU keeps in flight at once, each on its own batch, with one thread
        /// per core in all (on 2 cores: two runs of one intra-op thread). One run of two threads
        /// meets at a barrier after every parallel operator, where one thread waits for the other;
        /// two single-thread runs never wait, so the cores stay busy. On the idle 2-core EPYC
        /// (bench/README.md, 2026-12-02; alternated whole processes, 1000 digits) two runs at
        /// batch 1 took 0.90 of the wall time and 0.92 of the CPU of one run at batch 4, at 20 MiB
        /// less peak memory; batch 1 then reaches the batch-1 ceiling (one run of two threads, ORT
        /// alone), so the batch stays 1. Two, not one per core: each run holds its own activations in
        /// ORT's arena, and two already keep every core busy while the decoders take their share.
        /// </summary>
        public const int CpuConcurrentRuns = 2;

        /// <summary>CUDA's batch when none is given: a GPU needs many images per Run to fill its cores; 64 of 224² images is 38 MB of input.</summary>
        public const int CudaBatchSize = 64;

        /// <summary>
        /// A stream's micro-batch when no batch size is given: each micro-batch is committed as a part of
        /// its own, so the CPU's 1 would write a file per image; 32 was the batch default before it chose per device.
        /// </summary>
        public const int StreamBatchSize = 32;

        /// <summary>Decode/preprocess workers; one per core, capped at the range so the default is always valid.</summary>
        public static readonly NumberSetting<int> Parallelism = new("parallelism", Math.Min(Environment.ProcessorCount, 256), new NumberRange(1, 256), "Images decoded at once (default: the number of cores).")
        {
            Option = "--parallelism",
            ConfigurationKey = "Parallelism",
        };

        /// <summary>The inference device.</summary>
        public static readonly ChoiceSetting Device = new("device", "auto", "auto tries CUDA and falls back to CPU; cuda fails when CUDA is unusable.")
        {
            Option = "--device",
            ConfigurationKey = "Device",
        };

        /// <summary>The featurizer's arithmetic: fp32, or int8 (static quantization calibrated on the run's first images, CPU only).</summary>
        public static readonly ChoiceSetting Precision = new("precision", "fp32", "fp32, or int8: a quantized featurizer calibrated on the run's first images, run by ONNX Runtime's integer CPU kernels; its features are not interchangeable with fp32 ones.")
        {
            Option = "--precision",
        };

        /// <summary>
        /// int8 calibration sample size. MinMax ranges of ResNet18 on the digits were settled well
        /// before 200 images; a few hundred decodes and batch-4 runs cost a few seconds once, then
        /// the quantized file is cached.
        /// </summary>
        public static readonly NumberSetting<int> CalibrationImages = new("calibrationImages", 200, new NumberRange(1, 100_000), "With int8: how many of the source's first images calibrate the activation ranges.")
        {
            Option = "--calibration-images",
        };

        /// <summary>
        /// Rows per feature-store part. 10 000 rows of 512 floats is a part of about 20 MB: big enough
        /// to read efficiently, small enough that compaction rewrites little.
        /// </summary>
        public static readonly NumberSetting<int> RowsPerPart = new("rowsPerPart", 10_000, new NumberRange(1, int.MaxValue), "A part file is closed after this many rows...")
        {
            Option = "--rows-per-part",
        };

        /// <summary>
        /// Seconds a part stays open; only closed parts survive a crash, so this bounds the work a
        /// killed run loses. 30 s, the decode time limit's default too; 0 closes a part after every
        /// write, and a day is the most, as a longer interval would only mean "never", which
        /// <see cref="RowsPerPart"/> already gives.
        /// </summary>
        public static readonly NumberSetting<double> PartSeconds = new("partSeconds", 30, new NumberRange(0, 86_400), "...or after this many seconds, so a killed run loses at most that much work; 0 closes a part after every write.")
        {
            Option = "--part-seconds",
        };

        /// <summary>Also write the features as Arrow IPC.</summary>
        public static readonly Setting<bool> Arrow = new("arrow", false, "Also write each part as an Arrow IPC file (features as a fixed-size list).")
        {
            Option = "--arrow",
        };

        /// <summary>
        /// Which share of the source this process featurizes: <c>none</c> (all of it, into a store of
        /// its own), <c>i/N</c>, or <c>auto</c> from a Slurm array's or a Kubernetes Indexed Job's
        /// variables (<c>Pipeline.Sources.ShardSelection</c>). N shards write one store together.
        /// </summary>
        public static readonly Setting<string> Shard = new("shard", "none", "Featurize only shard i of N (i/N, i from 0), or auto from SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or JOB_COMPLETION_INDEX with --shard-count; N processes then write one store, and the last to commit writes _SUCCESS.")
        {
            Option = "--shard",
        };

        /// <summary>The shard count for <c>auto</c> with JOB_COMPLETION_INDEX, which Kubernetes gives without the Job's completions; 0 when not given.</summary>
        public static readonly NumberSetting<int> ShardCount = new("shardCount", 0, new NumberRange(0, 100_000), "With --shard auto: the number of shards (a Kubernetes Indexed Job's completions); 0 takes it from SLURM_ARRAY_TASK_COUNT.")
        {
            Option = "--shard-count",
        };

        /// <summary>The <c>featurize</c> section.</summary>
        public static readonly SettingSection Section = new("featurize", [BatchSize, Parallelism, Device, Precision, CalibrationImages, RowsPerPart, PartSeconds, Arrow, Shard, ShardCount]);
    }

    /// <summary>How <c>featurize</c> lays out Parquet parts; command line only, a pipeline run keeps these defaults.</summary>
    public static class Store
    {
        /// <summary>Rows per Parquet row group; why 4096 is on <c>FeatureStoreOptions.RowGroupSize</c>, and 2^20 rows bound the writer's buffers.</summary>
        public static readonly NumberSetting<int> RowGroupSize = new(null, 4096, new NumberRange(1, 1 << 20), "Rows per Parquet row group.")
        {
            Option = "--row-group-size",
        };

        /// <summary>The Parquet codec.</summary>
        public static readonly ChoiceSetting Compression = new(null, "snappy", "Parquet compression.")
        {
            Option = "--compression",
        };

        /// <summary>The feature store's settings.</summary>
        public static readonly IReadOnlyList<Setting> All = [RowGroupSize, Compression];
    }

    /// <summary>What one input may cost before it is rejected (YAML <c>limits</c>, configuration <c>Pipeline:Limits</c>).</summary>
    public static class Limits
    {
        /// <summary>Largest image file, in bytes (256 MiB).</summary>
        public static readonly NumberSetting<long> MaxFileBytes = new("maxFileBytes", 256L * 1024 * 1024, new NumberRange(1, long.MaxValue), "Larger image files are rejected unread.")
        {
            ConfigurationKey = "Limits:MaxFileBytes",
        };

        /// <summary>Largest width × height a header may declare (64 megapixels).</summary>
        public static readonly NumberSetting<long> MaxPixels = new("maxPixels", 64L * 1000 * 1000, new NumberRange(1, long.MaxValue), "Images whose header declares more pixels are rejected before decoding.")
        {
            ConfigurationKey = "Limits:MaxPixels",
        };

        /// <summary>
        /// Longest decode of one image, in seconds (configuration: a TimeSpan). A 64-megapixel PNG decodes
        /// in a few seconds on one core, so 30 s rejects only inputs that are stuck; a day is the most,
        /// CancellationTokenSource's range rounded down.
        /// </summary>
        public static readonly NumberSetting<double> MaxDecodeSeconds = new("maxDecodeSeconds", 30, new NumberRange(0, 86_400, MinExclusive: true), "An image whose decode takes longer is rejected and abandoned, so one stuck input cannot hang the run.")
        {
            Option = "--max-decode-seconds",
            ConfigurationKey = "Limits:MaxDecodeTime",
        };

        /// <summary>The <c>limits</c> section.</summary>
        public static readonly SettingSection Section = new("limits", [MaxFileBytes, MaxPixels, MaxDecodeSeconds]);
    }

    /// <summary>How a streaming run (a source that never ends) commits micro-batches (YAML <c>stream</c>); batch runs ignore it.</summary>
    public static class Stream
    {
        /// <summary>
        /// Longest wait, in seconds, from a micro-batch's first decoded image to its inference when the
        /// batch does not fill: the latency a trickle of images sees. 2 s, as the issue asks: long enough
        /// that a burst fills whole batches, short next to a person waiting on a result; a day is the most,
        /// as for the other durations.
        /// </summary>
        public static readonly NumberSetting<double> MaxDelaySeconds = new("maxDelaySeconds", 2, new NumberRange(0, 86_400, MinExclusive: true), "A micro-batch that is not full goes to inference this many seconds after its first image.");

        /// <summary>What becomes of a landed file once the part holding its row (or reject) is committed.</summary>
        public static readonly ChoiceSetting After = new("after", "keep", "What happens to a landed file after its row or reject is committed: keep, archive (moved under the run folder's archive/) or delete.");

        /// <summary>
        /// Seconds a landed file's size and mtime must stay unchanged before it is taken. 1 s: a copy
        /// that writes in place (cp, scp, a camera's uploader) writes continuously, so a second without
        /// a write means it is done, while a file moved in whole (mv of a finished file keeps its old
        /// mtime) is taken at once. Slow network copies that stall longer should land by rename, or
        /// raise this. 0 takes every visible file as it is seen.
        /// </summary>
        public static readonly NumberSetting<double> SettleSeconds = new("settleSeconds", 1, new NumberRange(0, 3_600), "A watched file is taken once its size and modification time have not changed for this many seconds.");

        /// <summary>
        /// Seconds between full listings of a watched folder. The file-system watcher gives the latency;
        /// it drops events when its queue overflows and gets none on NFS, SMB or FUSE mounts, where this
        /// is the landing latency. 5 s: a listing stats every file, and 10,000 kept files took 79 ms on
        /// the shared 2-core dev machine (8 µs a file, against 46 ms for the folder source's walk), so
        /// under 2 % of a core, and it stays within a few micro-batches' delay. A day is the most.
        /// </summary>
        public static readonly NumberSetting<double> RescanSeconds = new("rescanSeconds", 5, new NumberRange(0, 86_400, MinExclusive: true), "Seconds between full listings of a watched folder, which find what the file-system watcher missed.");

        /// <summary>
        /// Seconds a generation of the store that a compaction replaced is kept before it is deleted
        /// (at a later compaction or the next start), for readers that listed its files and open them
        /// later: 600 s. DuckDB and pandas open their files within a second of listing them; a Spark job
        /// lists on the driver and reads on the executors, minutes later for a big one. What it costs is
        /// disk: the small parts merged in the last ten minutes, held twice.
        /// </summary>
        public static readonly NumberSetting<double> CompactGraceSeconds = new("compactGraceSeconds", 600, new NumberRange(0, 86_400), "Seconds a store generation replaced by a compaction is kept for readers that listed it, before it is deleted.")
        {
            Option = "--grace-seconds",
        };
    

        /// <summary>The <c>stream</c> section.</summary>
        public static readonly SettingSection Section = new("stream", [MaxDelaySeconds, After, SettleSeconds, RescanSeconds, CompactGraceSeconds]);
    }

    /// <summary>The train/test split of one source (YAML <c>split</c>), Spark's <c>randomSplit([1 - f, f], seed)</c>: the tutorial's 80/20 with seed 42.</summary>
    public static class Split
    {
        /// <summary>The default of <see cref="TestFraction"/>, a constant for records' optional parameters.</summary>
        public const double DefaultTestFraction = 0.2;

        /// <summary>The default of <see cref="Seed"/>.</summary>
        public const long DefaultSeed = 42;

        /// <summary>The default of <see cref="Stratify"/>.</summary>
        public const bool DefaultStratify = false;

        /// <summary>Share of rows held out; 0 trains on every row.</summary>
        public static readonly NumberSetting<double> TestFraction = new("testFraction", DefaultTestFraction, new NumberRange(0, 1, MaxExclusive: true), "Share of rows held out for testing; 0 trains on every row (Spark's fit(df)): no evaluation unless --test-features is given.")
        {
            Option = "--test-fraction",
        };

        /// <summary>Seed of the split; on the command line also of the folds.</summary>
        public static readonly NumberSetting<long> Seed = new("seed", DefaultSeed, new NumberRange(long.MinValue, long.MaxValue), "Seed of the split and the folds.")
        {
            Option = "--seed",
        };

        /// <summary>Split each class separately.</summary>
        public static readonly Setting<bool> Stratify = new("stratify", DefaultStratify, "Keep class proportions in the train/test split.")
        {
            Option = "--stratify",
        };

        /// <summary>The <c>split</c> section.</summary>
        public static readonly SettingSection Section = new("split", [TestFraction, Seed, Stratify]);
    }

    /// <summary>Elastic-net logistic regression (YAML <c>train</c>), with Spark MLlib's names and defaults.</summary>
    public static class Train
    {
        /// <summary>Solver iterations; a million is far past any convergence and keeps a typo from running for days.</summary>
        public static readonly NumberSetting<int> MaxIter = new("maxIter", 100, new NumberRange(0, 1_000_000), "Maximum solver iterations.")
        {
            Option = "--max-iter",
        };

        /// <summary>Regularisation strength λ.</summary>
        public static readonly NumberSetting<double> RegParam = new("regParam", 0, NumberRange.NonNegative, "Regularisation strength λ.")
        {
            Option = "--reg-param",
        };

        /// <summary>Elastic-net mixing α.</summary>
        public static readonly NumberSetting<double> ElasticNetParam = new("elasticNetParam", 0, new NumberRange(0, 1), "Elastic-net mixing α: 0 is L2, 1 is L1.")
        {
            Option = "--elastic-net-param",
        };

        /// <summary>Convergence tolerance.</summary>
        public static readonly NumberSetting<double> Tol = new("tol", 1e-6, NumberRange.NonNegative, "Convergence tolerance.")
        {
            Option = "--tol",
        };

        /// <summary>Penalise standardised coefficients.</summary>
        public static readonly Setting<bool> Standardization = new("standardization", true, "Penalise standardised coefficients.")
        {
            Option = "--standardization",
        };

        /// <summary>Fit per-class intercepts.</summary>
        public static readonly Setting<bool> FitIntercept = new("fitIntercept", true, "Fit per-class intercepts.")
        {
            Option = "--fit-intercept",
        };

        /// <summary>The <c>train</c> section.</summary>
        public static readonly SettingSection Section = new("train", [MaxIter, RegParam, ElasticNetParam, Tol, Standardization, FitIntercept]);
    }

    /// <summary>A cross-validated grid search (YAML <c>grid</c>), Spark's <c>CrossValidator</c> over a <c>ParamGridBuilder</c>.</summary>
    public static class Grid
    {
        /// <summary>The default of <see cref="Folds"/>, Spark's numFolds, a constant for records' optional parameters.</summary>
        public const int DefaultFolds = 3;

        /// <summary>The default of <see cref="Seed"/>.</summary>
        public const long DefaultSeed = 42;

        /// <summary>Values of λ to try; left out, <c>[train.regParam]</c>.</summary>
        public static readonly NumberListSetting RegParam = new("regParam", Train.RegParam, "Grid search over regParam: comma-separated values, e.g. 0.01,0.03,0.1.")
        {
            Option = "--grid-reg-param",
        };

        /// <summary>Values of α to try; left out, <c>[train.elasticNetParam]</c>.</summary>
        public static readonly NumberListSetting ElasticNetParam = new("elasticNetParam", Train.ElasticNetParam, "Grid search over elasticNetParam: comma-separated values, e.g. 0,0.5,1.")
        {
            Option = "--grid-elastic-net",
        };

        /// <summary>
        /// Whether to standardize, as a grid axis like λ and α: <c>[true, false]</c> lets
        /// cross-validation choose; left out, <c>[train.standardization]</c>.
        /// </summary>
        public static readonly FlagListSetting Standardization = new("standardization", Train.Standardization, "Grid search over standardization: comma-separated true/false, e.g. true,false to let cross-validation choose.")
        {
            Option = "--grid-standardization",
        };

        /// <summary>Cross-validation folds; past 100 a fold is too small to score on.</summary>
        public static readonly NumberSetting<int> Folds = new("folds", DefaultFolds, new NumberRange(2, 100), "Cross-validation folds of a grid search.")
        {
            Option = "--folds",
        };

        /// <summary>The metric maximised (Spark's default f1).</summary>
        public static readonly ChoiceSetting Metric = new("metric", "f1", "Grid-search selection metric: f1, accuracy, weightedPrecision, weightedRecall or logLoss.")
        {
            Option = "--metric",
        };

        /// <summary>Seed of the fold assignment; the command line's <c>--seed</c> is <see cref="Split.Seed"/>, used for both.</summary>
        public static readonly NumberSetting<long> Seed = new("seed", DefaultSeed, new NumberRange(long.MinValue, long.MaxValue), "Seed of the fold assignment.");

        /// <summary>The <c>grid</c> section.</summary>
        public static readonly SettingSection Section = new("grid", [RegParam, ElasticNetParam, Standardization, Folds, Metric, Seed]);
    }

    /// <summary>Whether a run evaluates its model (YAML <c>evaluate</c>).</summary>
    public static class Evaluate
    {
        /// <summary>Evaluate on the test set and write the report.</summary>
        public static readonly Setting<bool> Enabled = new("enabled", true, "Evaluate on the test set and write the report.");

        /// <summary>The <c>evaluate</c> section.</summary>
        public static readonly SettingSection Section = new("evaluate", [Enabled]);
    }

    /// <summary>Service-wide folders (configuration section <c>Pipeline</c>); the featurize and limits settings with a configuration key are service defaults too.</summary>
    public static class Service
    {
        /// <summary>Root of all run folders, relative to the content root.</summary>
        public static readonly Setting<string> OutputRoot = new(null, "runs", "Root of all run folders; a file's output is relative to it.")
        {
            ConfigurationKey = "OutputRoot",
        };

        /// <summary>Where the zoo's model files live.</summary>
        public static readonly Setting<string> ModelsDirectory = new(null, "models", "Folder that holds the zoo's .onnx files.")
        {
            Option = "--models-dir",
            ConfigurationKey = "ModelsDirectory",
        };

        /// <summary>The service's own settings.</summary>
        public static readonly IReadOnlyList<Setting> All = [OutputRoot, ModelsDirectory];
    }

    /// <summary>The inbox worker (configuration section <c>Pipeline:Worker</c>).</summary>
    public static class Worker
    {
        /// <summary>The watched folder, relative to the content root.</summary>
        public static readonly Setting<string> Inbox = new(null, "inbox", "The watched folder.") { ConfigurationKey = "Inbox" };

        /// <summary>Names this worker in claim files; unique per process by default.</summary>
        public static readonly Setting<string> WorkerId = new(null, $"{Environment.MachineName}-{Environment.ProcessId}", "Names this worker in claim files.") { ConfigurationKey = "WorkerId" };

        /// <summary>Runs executed at once.</summary>
        public static readonly NumberSetting<int> MaxConcurrentRuns = new(null, 1, new NumberRange(1, 64), "Runs executed at once.") { ConfigurationKey = "MaxConcurrentRuns" };

        /// <summary>How often the inbox is scanned when idle.</summary>
        public static readonly DurationSetting PollInterval = new(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1), "How often the inbox is scanned when idle.") { ConfigurationKey = "PollInterval" };

        /// <summary>How long in-flight runs get after SIGTERM / Ctrl+C before the host exits anyway.</summary>
        public static readonly DurationSetting ShutdownGracePeriod = new(TimeSpan.FromSeconds(30), TimeSpan.Zero, TimeSpan.FromHours(1), "How long in-flight runs get to flush after SIGTERM or Ctrl+C.") { ConfigurationKey = "ShutdownGracePeriod" };

        /// <summary>A claim not refreshed for this long belongs to a dead worker.</summary>
        public static readonly DurationSetting ClaimLease = new(TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(1), TimeSpan.FromDays(1), "A claim not refreshed for this long may be taken over.") { ConfigurationKey = "ClaimLease" };

        /// <summary>The worker's settings.</summary>
        public static readonly IReadOnlyList<Setting> All = [Inbox, WorkerId, MaxConcurrentRuns, PollInterval, ShutdownGracePeriod, ClaimLease];
    }

    /// <summary>
    /// The metrics and health endpoint and the OTLP export of the worker and of <c>pipeline run</c>
    /// (configuration section <c>Pipeline:Metrics</c>).
    /// </summary>
    public static class Metrics
    {
        /// <summary>
        /// The port of the HTTP listener serving <c>/metrics</c> (Prometheus text), <c>/health</c> and
        /// <c>/alive</c>. Off (0) by default: a port is a resource the host must hand out, and two
        /// workers or runs on one machine would collide on any fixed default; the Kubernetes sample
        /// sets 9464, the port OpenTelemetry's Prometheus exporter uses.
        /// </summary>
        public static readonly NumberSetting<int> Port = new(null, 0, new NumberRange(0, 65_535), "Port of the /metrics, /health and /alive listener on every interface; 0 turns it off.") { ConfigurationKey = "Port" };

        /// <summary>Where OTLP metrics go; empty exports nothing.</summary>
        public static readonly Setting<string> OtlpEndpoint = new(null, string.Empty, "OTLP endpoint (http://collector:4317 for gRPC, or http://collector:4318/v1/metrics with OtlpProtocol http/protobuf); empty exports nothing.") { ConfigurationKey = "OtlpEndpoint" };

        /// <summary>The OTLP transport.</summary>
        public static readonly ChoiceSetting OtlpProtocol = new(null, "grpc", "OTLP transport: grpc or http/protobuf.") { ConfigurationKey = "OtlpProtocol" };

        /// <summary>How often OTLP metrics are pushed.</summary>
        public static readonly DurationSetting ExportInterval = new(TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1), "How often OTLP metrics are pushed.") { ConfigurationKey = "ExportInterval" };

        /// <summary>
        /// A run with images waiting and no batch committed for this long is stuck, and /health and
        /// /alive fail. Two minutes: a batch waits at most its stream's maxDelaySeconds (2 s) and then
        /// one inference (seconds on a CPU), and one stuck image is rejected after
        /// limits.maxDecodeSeconds (30 s), so a run this late is not catching up on its own.
        /// </summary>
        public static readonly DurationSetting StuckAfter = new(TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1), "A run with images waiting and no batch committed for this long is stuck: /health and /alive fail.") { ConfigurationKey = "StuckAfter" };

        /// <summary>The metrics settings.</summary>
        public static readonly IReadOnlyList<Setting> All = [Port, OtlpEndpoint, OtlpProtocol, ExportInterval, StuckAfter];
    }
}
