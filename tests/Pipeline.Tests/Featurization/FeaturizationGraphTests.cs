using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Preprocessing;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

public sealed class FeaturizationGraphTests
{
    private const int ImageCount = 10;

    [Fact]
    public async Task RunAsync_StoreAndAnotherSink_GivesBothEveryBatchInTheirOrder()
    {
        using var dir = new TempFolder();
        var images = GeneratedImages.WriteFolder(dir.Combine("images"), ImageCount, "a", "b");
        var broken = dir.Write(Path.Combine("images", "a", "broken.png"), "not a png"u8.ToArray());
        using var run = new GraphRun(dir, new FolderImageSource(dir.Combine("images")));
        var store = await run.CreateStoreAsync();
        var recorder = new RecordingSink(store);

        await run.Graph([new FeatureStoreSink(store), recorder]).RunAsync(run.Source.ReadAsync(), _ => false, CancellationToken.None);
        await store.CompleteAsync(CancellationToken.None);
        await store.DisposeAsync();

        var reader = await FeatureStoreReader.OpenAsync(run.StoreDirectory);
        var rowOrder = new List<string>();
        await foreach (var record in reader.ReadRecordsAsync())
        {
            rowOrder.Add(record.Path);
        }

        // Row for row and bit for bit: both sinks saw the same batches, in the same order.
        Assert.Equal(images.Keys.Order(StringComparer.Ordinal), rowOrder.Order(StringComparer.Ordinal));
        Assert.Equal(rowOrder, recorder.Paths);
        var stored = await reader.ReadAllAsync();
        for (var i = 0; i < stored.Count; i++)
        {
            var row = recorder.Paths.IndexOf(stored.Paths[i]);
            Assert.Equal(stored.GetFeatures(i).ToArray(), recorder.Features.Skip(row * stored.Dimension).Take(stored.Dimension));
        }

        Assert.Equal([broken], recorder.Rejects.Select(r => r.Path));

        // The store, given first, already held each batch when the recorder was handed it.
        Assert.Equal(recorder.Batches.Select(b => b.RowsBefore + b.Count), recorder.Batches.Select(b => b.StoreRows));
        Assert.All(recorder.Batches, b => Assert.InRange(b.Count, 0, TestFeaturization.BatchSize));
        Assert.Equal((ImageCount + 1, ImageCount, 1), (run.Counters.Read, run.Counters.Featurized, run.Counters.Rejected));
    }

    [Fact]
    public async Task RunAsync_TwoRunsAtOnce_GivesEveryImageTheFeaturesOfOneRunAtATime()
    {
        using var dir = new TempFolder();
        var images = GeneratedImages.WriteFolder(dir.Combine("images"), ImageCount, "a", "b");
        var source = new FolderImageSource(dir.Combine("images"));
        var oneAtATime = await FeaturesByPathAsync(dir, source, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 1, ConcurrentRuns = 1 });
        var twoAtOnce = await FeaturesByPathAsync(dir, source, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 1, ConcurrentRuns = 2 });

        Assert.Equal(images.Keys.Order(StringComparer.Ordinal), twoAtOnce.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, features) in twoAtOnce)
        {
            // One thread or two per run sum the same products in another order: 1e-5 on values of order 1.
            Assert.Equal(oneAtATime[path], features, (a, b) => Math.Abs(a - b) <= 1e-5f);
        }
    }

    private static async Task<Dictionary<string, float[]>> FeaturesByPathAsync(TempFolder dir, ILabelledImageSource source, InferenceOptions inference)
    {
        using var run = new GraphRun(dir, source, inference);
        var recorder = new RecordingSink(store: null);
        await run.Graph([recorder]).RunAsync(run.Source.ReadAsync(), _ => false, CancellationToken.None);
        Assert.Equal(inference.ConcurrentRuns, run.ConcurrentRuns);
        Assert.All(recorder.Batches, b => Assert.Equal(1, b.Count));
        return recorder.Paths.Select((path, row) => (path, row)).ToDictionary(p => p.path, p => recorder.Features.Skip(p.row * 512).Take(512).ToArray());
    }

    /// <summary>
    /// The later batches are inferred and wait in the inference block, whose input side has
    /// completed, when the sink fails: TPL Dataflow's cancellation alone would never complete that
    /// block (dotnet/runtime#27357), and the run hung. A race, so tried 20 times.
    /// </summary>
    [Fact]
    public async Task RunAsync_SinkFailsWhileTheLastBatchesWaitForIt_ThrowsInsteadOfHanging()
    {
        using var dir = new TempFolder();
        GeneratedImages.WriteFolder(dir.Combine("images"), 3, "a");
        var inference = new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 1, ConcurrentRuns = 2 };
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var run = new GraphRun(dir, new FolderImageSource(dir.Combine("images")), inference);
            var sink = new LateFailingSink(run.Counters, images: 3);

            var running = run.Graph([sink]).RunAsync(run.Source.ReadAsync(), _ => false, CancellationToken.None);

            var error = await Assert.ThrowsAsync<IOException>(() => running.WaitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal("disk full", error.Message);
        }
    }

    [Fact]
    public async Task RunAsync_SinkFails_ThrowsItsExceptionAndTheSinksAfterItMissTheBatch()
    {
        using var dir = new TempFolder();
        GeneratedImages.WriteFolder(dir.Combine("images"), ImageCount, "a", "b");
        using var run = new GraphRun(dir, new FolderImageSource(dir.Combine("images")));
        var failing = new FailingSink(failOnBatch: 2);
        var after = new RecordingSink(store: null);

        var error = await Assert.ThrowsAsync<IOException>(
            () => run.Graph([failing, after]).RunAsync(run.Source.ReadAsync(), _ => false, CancellationToken.None));

        Assert.Equal("disk full", error.Message);
        var first = Assert.Single(after.Batches);
        Assert.Equal(first.Count, run.Counters.Featurized);
    }

    /// <summary>The real decoder, preprocessing and ResNet18 on the CPU in batches of <see cref="TestFeaturization.BatchSize"/>.</summary>
    private sealed class GraphRun : IDisposable
    {
        private readonly TensorPreprocessor _preprocessor;
        private readonly FeatureExtractor _extractor;

        public GraphRun(TempFolder dir, ILabelledImageSource source, InferenceOptions? inference = null)
        {
            var model = TestFeaturization.ResNet18;
            Source = source;
            StoreDirectory = dir.Combine("store");
            _preprocessor = new TensorPreprocessor(model.Spec, model.MeanImagePath);
            _extractor = new FeatureExtractor(model.Spec, model.OnnxPath, inference ?? TestFeaturization.Options.Inference);
        }

        public int ConcurrentRuns => _extractor.ConcurrentRuns;

        public ILabelledImageSource Source { get; }

        public string StoreDirectory { get; }

        public FeaturizationCounters Counters { get; } = new();

        public FeaturizationGraph Graph(IReadOnlyList<IFeaturizationSink> sinks) =>
            new(new ImageDecoder(), _preprocessor, _extractor, sinks, Counters, parallelism: 2);

        public Task<FeatureStoreWriter> CreateStoreAsync() => FeatureStoreWriter.CreateAsync(
            StoreDirectory,
            new FeatureStoreMetadata("resnet18", _extractor.ModelSha256, _extractor.FeatureNode, _extractor.FeatureDimension, _preprocessor.Describe(), Source.Classes.Names, DateTimeOffset.UtcNow),
            TestFeaturization.Options.Store,
            CancellationToken.None);

        public void Dispose() => _extractor.Dispose();
    }

    /// <summary>Copies every batch it is given, as a sink must (the buffers are reused), and notes how many rows the store held then.</summary>
    private sealed class RecordingSink(FeatureStoreWriter? store) : IFeaturizationSink
    {
        public List<string> Paths { get; } = [];

        public List<float> Features { get; } = [];

        public List<Reject> Rejects { get; } = [];

        public List<(int Count, long RowsBefore, long StoreRows)> Batches { get; } = [];

        public ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
        {
            Batches.Add((batch.Count, Paths.Count, store?.RowsWritten ?? 0));
            foreach (var record in batch.Records.Span)
            {
                Paths.Add(record.Path);
            }

            for (var row = 0; row < batch.Count; row++)
            {
                Features.AddRange(batch.GetFeatures(row));
            }

            Rejects.AddRange(batch.Rejects);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Fails its first batch only once every later batch has been inferred and waits for it, late.</summary>
    private sealed class LateFailingSink(FeaturizationCounters counters, int images) : IFeaturizationSink
    {
        public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
        {
            await Poll.UntilAsync(() => counters.Read == images, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
            await Task.Delay(TimeSpan.FromMilliseconds(300), CancellationToken.None);
            throw new IOException("disk full");
        }
    }

    private sealed class FailingSink(int failOnBatch) : IFeaturizationSink
    {
        private int _batches;

        public ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken) =>
            ++_batches == failOnBatch ? throw new IOException("disk full") : ValueTask.CompletedTask;
    }
}
