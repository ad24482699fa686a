using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Pipeline.Hosting;
using Pipeline.Runs;
using Pipeline.Tests.Hosting;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline worker</c> as the CLI builds it (<see cref="PipelineHost.CreateWorkerBuilder(string[], Microsoft.Extensions.Hosting.HostApplicationBuilderSettings?)"/>, the real
/// <see cref="StagePipelineRunner"/>), serving an inbox in a temporary content root.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class InboxWorkerEndToEndTests : IDisposable
{
    /// <summary>Upper bound for the worker to finish a file on a loaded machine; not a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly TempFolder _dir = new();

    public InboxWorkerEndToEndTests()
    {
        DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 8);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Worker_BadFileThenGoodFile_FailsTheBadOneWithLineAndKeyThenRunsTheGoodOneToDone()
    {
        using var host = await StartWorkerAsync();

        Drop("bad.yaml", Pipeline("bad", "regParm: 0.03"));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "failed", "bad.error.txt")));
        Drop("good.yaml", Pipeline("good", "regParam: 0.03"));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "good.run.json")));
        await host.StopAsync();

        Assert.True(File.Exists(_dir.Combine("inbox", "failed", "bad.yaml")));
        Assert.Equal(
            $"{Path.Combine("inbox", "bad.yaml")}:14:3: train.regParm: unknown key; did you mean 'regParam'?",
            File.ReadAllText(_dir.Combine("inbox", "failed", "bad.error.txt")).TrimEnd());
        Assert.False(Directory.Exists(_dir.Combine("runs", "bad")));

        Assert.True(File.Exists(_dir.Combine("inbox", "done", "good.yaml")));
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox"), "*.yaml"));
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox", ".claimed")));
        using var filed = JsonDocument.Parse(File.ReadAllText(_dir.Combine("inbox", "done", "good.run.json")));
        var run = filed.RootElement;
        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Equal(Path.Combine("inbox", "good.yaml"), run.GetProperty("pipelineFile").GetString());
        Assert.Equal(24, run.GetProperty("counts").GetProperty("featurized").GetInt64());
        Assert.InRange(run.GetProperty("metrics").GetProperty("accuracy").GetDouble(), 0.6, 1.0);
        Assert.Equal(File.ReadAllText(_dir.Combine("runs", "good", "run.json")), File.ReadAllText(_dir.Combine("inbox", "done", "good.run.json")));
        Assert.True(File.Exists(_dir.Combine("runs", "good", "model", "model.onnx")));
    }

    [Fact]
    public async Task Worker_StoppedMidRunThenStartedAgain_ReturnsTheFileToTheInboxAndResumesItToDone()
    {
        var images = DigitsSubset.CopyTo(_dir.Combine("digits60"), classes: 3, perClass: 20);
        var features = _dir.Combine("runs", "long", "features");
        var first = await StartWorkerAsync();
        try
        {
            Drop("long.yaml", Pipeline("long", "regParam: 0.03", source: "digits60"));
            await WaitForAsync(() => Directory.Exists(features) && Directory.GetFiles(features, "part-*.parquet").Length > 0);
            await first.StopAsync();
        }
        finally
        {
            first.Dispose();
        }

        Assert.False(File.Exists(Path.Combine(features, "_SUCCESS")), "featurization finished before the stop; the test needs more images");
        Assert.True(File.Exists(_dir.Combine("inbox", "long.yaml")));
        Assert.Equal("interrupted", Property(_dir.Combine("runs", "long", "run.json"), "state"));

        using var second = await StartWorkerAsync();
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "long.run.json")));
        await second.StopAsync();

        var done = _dir.Combine("inbox", "done", "long.run.json");
        Assert.Equal("completed", Property(done, "state"));
        Assert.Equal("2", Property(done, "attempt"));
        using var json = JsonDocument.Parse(File.ReadAllText(done));
        var counts = json.RootElement.GetProperty("counts");
        Assert.InRange(counts.GetProperty("cached").GetInt64(), 8, images - 1);
        Assert.Equal(images, counts.GetProperty("cached").GetInt64() + counts.GetProperty("featurized").GetInt64());
    }

    private static string Property(string runJson, string name)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(runJson));
        var value = json.RootElement.GetProperty(name);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
    }

    private static string Pipeline(string name, string trainKey, string source = "digits") => $"""
        name: {name}
        source:
          kind: folder
          path: {source}
        model:
          name: resnet18
        featurize:
          device: cpu
          batchSize: 4
          rowsPerPart: 8
          partSeconds: 3600
        train:
          maxIter: 5
          {trainKey}
        output: {name}
        """;

    private static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience, TimeSpan.FromMilliseconds(50));

    /// <summary>Puts a file in the inbox the way producers must: written aside, then renamed in.</summary>
    private void Drop(string name, string content)
    {
        var temp = _dir.Combine(name + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, _dir.Combine("inbox", name));
    }

    private async Task<IHost> StartWorkerAsync()
    {
        var builder = PipelineHost.CreateWorkerBuilder(
            [],
            new HostApplicationBuilderSettings { ContentRootPath = _dir.Path, EnvironmentName = "Test" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:Parallelism"] = "2",
            ["Pipeline:Worker:WorkerId"] = "e2e",
            ["Pipeline:Worker:PollInterval"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        return await StartedHost.StartAsync(builder);
    }
}
