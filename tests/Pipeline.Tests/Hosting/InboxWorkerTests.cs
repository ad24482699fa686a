using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pipeline.Hosting;
using Pipeline.Runs;
using Pipeline.Tests.Runs;

namespace Pipeline.Tests.Hosting;

public sealed class InboxWorkerTests : IDisposable
{
    /// <summary>Upper bound for a worker to notice and finish a file; generous for a loaded CI machine, not a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly TempFolder _dir = new();

    public InboxWorkerTests()
    {
        Directory.CreateDirectory(_dir.Combine("images"));
        Directory.CreateDirectory(_dir.Combine("inbox"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Worker_GoodFile_RunsItAndFilesItUnderDoneWithItsRunJson()
    {
        var runner = FakeRunner.Completing();
        using var host = await StartWorkerAsync("w1", runner);

        Drop("a.yaml", Pipeline("a"));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "a.yaml")));
        await host.StopAsync();

        var run = Assert.Single(runner.Calls);
        Assert.Equal(Path.Combine("inbox", "a.yaml"), run.PipelineFile);
        Assert.Equal("completed", State(_dir.Combine("inbox", "done", "a.run.json")));
        Assert.Equal("completed", State(_dir.Combine("runs", "a", "run.json")));
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox"), "*.yaml"));
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox", ".claimed")));
    }

    [Fact]
    public async Task Worker_RunJsonCannotBeFiled_FilesThePipelineUnderFailedNotDone()
    {
        // A folder where the run.json copy must go: the copy fails after the run completed.
        Directory.CreateDirectory(_dir.Combine("inbox", "done", "a.run.json"));
        var runner = FakeRunner.Completing();
        using var host = await StartWorkerAsync("w1", runner);

        Drop("a.yaml", Pipeline("a"));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "failed", "a.yaml")));
        await host.StopAsync();

        // The pipeline file arrives last, so done/ never shows a file whose run.json is missing.
        Assert.False(File.Exists(_dir.Combine("inbox", "done", "a.yaml")));
        Assert.Contains("a.run.json", File.ReadAllText(_dir.Combine("inbox", "failed", "a.error.txt")), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox", ".claimed")));
    }

    [Fact]
    public async Task Worker_BadFileThenGoodFile_FailsTheBadOneWithLineAndKeyAndServesTheNext()
    {
        var runner = FakeRunner.Completing();
        using var host = await StartWorkerAsync("w1", runner);

        Drop("a-bad.yaml", Pipeline("bad").Replace("maxIter: 5", "regParm: 0.03", StringComparison.Ordinal));
        Drop("b-good.yaml", Pipeline("good"));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "b-good.yaml")));
        await host.StopAsync();

        Assert.True(File.Exists(_dir.Combine("inbox", "failed", "a-bad.yaml")));
        var error = File.ReadAllText(_dir.Combine("inbox", "failed", "a-bad.error.txt")).TrimEnd();
        Assert.Equal($"{Path.Combine("inbox", "a-bad.yaml")}:5:3: train.regParm: unknown key; did you mean 'regParam'?", error);
        Assert.Equal("good", Assert.Single(runner.Calls).Definition.Name);
    }

    [Fact]
    public async Task Worker_UnclosedBracket_FilesTheSyntaxErrorWithItsLineAndColumn()
    {
        var runner = FakeRunner.Completing();
        using var host = await StartWorkerAsync("w1", runner);

        Drop("a.yaml", Pipeline("a").Replace("model: { name: resnet18 }", "model: { name: resnet18", StringComparison.Ordinal));
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "failed", "a.yaml")));
        await host.StopAsync();

        var error = File.ReadAllText(_dir.Combine("inbox", "failed", "a.error.txt")).TrimEnd();
        Assert.Equal($"{Path.Combine("inbox", "a.yaml")}:4:1: YAML syntax error: '{{' opened at line 3, column 8 is not closed; add '}}' or quote the value", error);
        Assert.Empty(runner.Calls);
    }

    [Fact]
    public async Task TwoWorkers_OneInboxWithTwentyFiles_RunEachFileExactlyOnce()
    {
        var calls = new ConcurrentDictionary<string, int>();
        var runner = new FakeRunner(async (run, _, ct) =>
        {
            calls.AddOrUpdate(run.Definition.Name, 1, (_, n) => n + 1);
            await Task.Delay(5, ct);
            return FakeRunner.Outcome;
        });
        var names = Enumerable.Range(0, 20).Select(i => $"p{i:00}").ToArray();
        foreach (var name in names)
        {
            Drop(name + ".yaml", Pipeline(name));
        }

        // Started together with the files already waiting, so that both list and race for the same files.
        var hosts = await Task.WhenAll(StartWorkerAsync("w1", runner, maxConcurrentRuns: 4), StartWorkerAsync("w2", runner, maxConcurrentRuns: 4));
        using var first = hosts[0];
        using var second = hosts[1];
        await WaitForAsync(() => Directory.GetFiles(_dir.Combine("inbox", "done"), "*.yaml").Length == names.Length);
        await Task.WhenAll(first.StopAsync(), second.StopAsync());

        Assert.Equal(names, calls.Keys.Order(StringComparer.Ordinal));
        Assert.All(calls.Values, count => Assert.Equal(1, count));
        Assert.Equal(names.Length, runner.Calls.Count);
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox", "failed")));
    }

    [Fact]
    public async Task Worker_StoppedDuringARun_RecordsItInterruptedAndTheNextStartResumesIt()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var blocking = new FakeRunner(async (_, journal, ct) =>
        {
            await journal.BeginStageAsync(RunStage.Featurize);
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return FakeRunner.Outcome;
        });
        using (var host = await StartWorkerAsync("w1", blocking))
        {
            Drop("a.yaml", Pipeline("a"));
            await started.Task.WaitAsync(Patience);
            await host.StopAsync();
        }

        Assert.Equal("interrupted", State(_dir.Combine("runs", "a", "run.json")));
        Assert.True(File.Exists(_dir.Combine("inbox", "a.yaml")));

        var resuming = FakeRunner.Completing();
        using (var host = await StartWorkerAsync("w2", resuming))
        {
            await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "a.yaml")));
            await host.StopAsync();
        }

        Assert.True(Assert.Single(resuming.Calls).IsResume);
        using var json = JsonDocument.Parse(File.ReadAllText(_dir.Combine("runs", "a", "run.json")));
        Assert.Equal("completed", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("attempt").GetInt32());
    }

    [Fact]
    public async Task Worker_RestartedWithSameId_ResumesTheClaimItLeftBehind()
    {
        Directory.CreateDirectory(_dir.Combine("inbox", ".claimed"));
        File.WriteAllText(_dir.Combine("inbox", ".claimed", "a.yaml.w1"), Pipeline("a"));
        var runner = FakeRunner.Completing();

        using var host = await StartWorkerAsync("w1", runner);
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "a.yaml")));
        await host.StopAsync();

        Assert.Equal("a", Assert.Single(runner.Calls).Definition.Name);
    }

    [Fact]
    public async Task Worker_AnotherWorkersFreshClaim_IsLeftAlone()
    {
        Directory.CreateDirectory(_dir.Combine("inbox", ".claimed"));
        var claim = _dir.Combine("inbox", ".claimed", "a.yaml.w9");
        File.WriteAllText(claim, Pipeline("a"));
        Drop("b.yaml", Pipeline("b"));
        var runner = FakeRunner.Completing();

        using var host = await StartWorkerAsync("w1", runner);
        await WaitForAsync(() => File.Exists(_dir.Combine("inbox", "done", "b.yaml")));
        await host.StopAsync();

        Assert.Equal("b", Assert.Single(runner.Calls).Definition.Name);
        Assert.True(File.Exists(claim));
    }

    [Fact]
    public async Task StartAsync_InvalidWorkerOption_FailsNamingTheKeyAndRange()
    {
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            StartWorkerAsync("w1", FakeRunner.Completing(), maxConcurrentRuns: 0));

        Assert.Contains("Pipeline:Worker:MaxConcurrentRuns must be from 1 to 64, got 0", e.Message, StringComparison.Ordinal);
    }

    private static string Pipeline(string name) => $"""
        name: {name}
        source: {"{"} kind: folder, path: images {"}"}
        model: {"{"} name: resnet18 {"}"}
        train:
          maxIter: 5
        output: {name}
        """;

    private static string State(string runJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(runJson));
        return json.RootElement.GetProperty("state").GetString()!;
    }

    private static Task WaitForAsync(Func<bool> condition) => Poll.UntilAsync(condition, Patience, TimeSpan.FromMilliseconds(20));

    /// <summary>Puts a file in the inbox the way producers must: written aside, then renamed in.</summary>
    private void Drop(string name, string content)
    {
        var temp = _dir.Combine(name + ".tmp");
        File.WriteAllText(temp, content);
        File.Move(temp, _dir.Combine("inbox", name));
    }

    private async Task<IHost> StartWorkerAsync(string workerId, IPipelineRunner runner, int maxConcurrentRuns = 1)
    {
        var builder = PipelineHost.CreateWorkerBuilder([], _ => runner, new HostApplicationBuilderSettings
        {
            ContentRootPath = _dir.Path,
            EnvironmentName = "Test",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Pipeline:OutputRoot"] = "runs",
            ["Pipeline:Worker:Inbox"] = "inbox",
            ["Pipeline:Worker:WorkerId"] = workerId,
            ["Pipeline:Worker:MaxConcurrentRuns"] = maxConcurrentRuns.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Pipeline:Worker:PollInterval"] = "00:00:00.020",
            ["Pipeline:Worker:ShutdownGracePeriod"] = "00:00:10",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        return await StartedHost.StartAsync(builder);
    }
}
