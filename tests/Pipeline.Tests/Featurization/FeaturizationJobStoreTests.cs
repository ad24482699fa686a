using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Preprocessing;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Featurization;

/// <summary>What one run over a folder of good and bad files leaves in its store, read back three ways.</summary>
public sealed class FeaturizationJobStoreTests(MixedFolderStoreFixture run) : IClassFixture<MixedFolderStoreFixture>
{
    [Fact]
    public async Task RunAsync_FolderWithBadFiles_RejectsExactlyTheBadFilesWithReasons()
    {
        var rejects = await RejectsReader.ReadAsync(run.Output);

        Assert.Equal(run.Bad.Keys.Order(StringComparer.Ordinal), rejects.Select(r => r.Path).Order(StringComparer.Ordinal));
        foreach (var reject in rejects)
        {
            var (stage, reason) = run.Bad[reject.Path];
            Assert.Equal(stage, reject.Stage);
            Assert.Contains(reason, reject.Reason, StringComparison.Ordinal);
        }

        var byDuckDb = DuckDbQuery.Rows($"SELECT path, stage, reason FROM read_parquet('{Path.Combine(run.Output, "rejects.parquet")}')")
            .Select(r => new Reject((string)r[0], (string)r[1], (string)r[2]))
            .OrderBy(r => r.Path, StringComparer.Ordinal);
        Assert.Equal(rejects.OrderBy(r => r.Path, StringComparer.Ordinal), byDuckDb);
        Assert.Equal((MixedFolderStoreFixture.GoodCount, run.Bad.Count, 0), (run.Summary.Featurized, run.Summary.Rejected, run.Summary.Cached));
    }

    [Fact]
    public void RunAsync_FolderWithBadFiles_StoresEveryGoodImageOnceWithItsLabel()
    {
        var rows = DuckDbQuery.Rows($"SELECT path, label, label_index FROM read_parquet({DuckDbQuery.Parts(run.Output)})");

        Assert.Equal(run.Good.Keys.Order(StringComparer.Ordinal), rows.Select(r => (string)r[0]).Order(StringComparer.Ordinal));
        foreach (var row in rows)
        {
            var label = run.Good[(string)row[0]];
            Assert.Equal(label, row[1]);
            Assert.Equal(run.Classes.IndexOf(label), row[2]);
        }

        Assert.True(File.Exists(Path.Combine(run.Output, "features", "_SUCCESS")));
    }

    [Fact]
    public async Task Store_ReadByDuckDb_EqualsFeatureStoreReaderRowForRow()
    {
        var reader = await FeatureStoreReader.OpenAsync(run.Output);
        var records = new Dictionary<string, FeatureRecord>();
        await foreach (var record in reader.ReadRecordsAsync())
        {
            records.Add(record.Path, record);
        }

        var set = await reader.ReadAllAsync();
        var rows = DuckDbQuery.Rows(
            $"SELECT path, label, label_index, width, height, features FROM read_parquet({DuckDbQuery.Parts(run.Output)})");

        Assert.True(reader.PartFiles.Count >= 2, $"{MixedFolderStoreFixture.GoodCount} rows in parts of {TestFeaturization.RowsPerPart} make several parts.");
        Assert.Equal(set.Count, rows.Count);
        foreach (var row in rows)
        {
            var path = (string)row[0];
            var record = records[path];
            Assert.Equal((record.Label, record.LabelIndex, record.Width, record.Height), ((string)row[1], (int)row[2], (int)row[3], (int)row[4]));
            var seed = int.Parse(Path.GetFileNameWithoutExtension(path)["img-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(GeneratedImages.SizeOf(seed), (record.Width, record.Height));

            // Bit-equal: both readers decode the same stored floats, nothing in between rounds.
            var index = Array.IndexOf(set.Paths, path);
            Assert.Equal(set.GetFeatures(index).ToArray(), Assert.IsType<List<float>>(row[5]));
        }
    }

    [Fact]
    public void Store_KeyValueMetadata_NamesModelNodeDimensionClassesAndPreprocessing()
    {
        var pairs = DuckDbQuery.Rows($"SELECT file_name, key, value FROM parquet_kv_metadata({DuckDbQuery.Parts(run.Output)})")
            .GroupBy(r => (string)r[0])
            .ToDictionary(g => g.Key, g => g.ToDictionary(r => DuckDbQuery.Utf8(r[1]), r => DuckDbQuery.Utf8(r[2])));
        var model = TestFeaturization.ResNet18;

        Assert.True(pairs.Count >= 2);
        foreach (var part in pairs.Values)
        {
            Assert.Equal("resnet18", part["pipeline.model"]);
            Assert.Equal("Pooling395_Output_0", part["pipeline.feature_node"]);
            Assert.Equal("512", part["pipeline.dimension"]);
            Assert.Equal("[\"cat\",\"dog\",\"eel\"]", part["pipeline.classes"]);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(model.OnnxPath))), part["pipeline.model_sha256"]);
            Assert.Equal(TensorPreprocessor.Describe(model.Spec), part["pipeline.preprocessing"]);
        }
    }

    [Fact]
    public async Task Store_Features_EqualOriginalModelRunOnTheSameDecodedImage()
    {
        var model = TestFeaturization.ResNet18;
        var set = await (await FeatureStoreReader.OpenAsync(run.Output)).ReadAllAsync();
        var decoder = new ImageDecoder();
        var preprocessor = new TensorPreprocessor(model.Spec, model.MeanImagePath);
        var tensor = new float[preprocessor.ImageLength];

        // Reference: the unedited bundled model, batch 1, on a tensor made outside the graph.
        using var reference = new InferenceSession(model.OnnxPath);
        using var runOptions = new RunOptions();
        foreach (var path in run.Good.Keys.Order(StringComparer.Ordinal).Take(3))
        {
            var image = new LabelledImage(0, path, run.Good[path], run.Classes.IndexOf(run.Good[path]));
            using (var decoded = decoder.Decode(image, model.Spec.InputSize, model.Spec.InputSize, model.Spec.Resize).Image!)
            {
                preprocessor.Write(decoded.Pixels, tensor);
            }

            using var input = OrtValue.CreateTensorValueFromMemory(tensor, [1, 3, 224, 224]);
            using var outputs = reference.Run(runOptions, [model.Spec.InputName], [input], [model.Spec.FeatureNode]);
            var expected = outputs[0].GetTensorDataAsSpan<float>().ToArray();
            var stored = set.GetFeatures(Array.IndexOf(set.Paths, path)).ToArray();

            // Same kernels, other batch size and optimisation level: 1e-4 absolute on values of order 1.
            Assert.Equal(512, expected.Length);
            var maxDifference = expected.Zip(stored, (e, s) => Math.Abs(e - s)).Max();
            Assert.True(maxDifference <= 1e-4, $"{path}: max |difference| {maxDifference} > 1e-4");
            Assert.Contains(stored, v => v > 0.01f);
        }
    }
}
