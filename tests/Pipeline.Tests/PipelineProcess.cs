using System.Diagnostics;
using System.Text;

namespace Pipeline.Tests;

/// <summary>
/// The real <c>pipeline</c> CLI as a child process: <c>dotnet pipeline.dll …</c> from the test output
/// folder (the test project references the CLI), in a working directory of the test's choosing so
/// that relative paths and the default output root <c>runs</c> resolve there.
/// </summary>
internal sealed class PipelineProcess : IDisposable
{
    /// <summary>Upper bound for one CLI call on a loaded machine; not a timing assertion.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();
    private readonly StringBuilder _standardError = new();

    private PipelineProcess(Process process) => _process = process;

    /// <summary>Everything written to stdout and stderr so far, line by line.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Standard output alone: what a script piping the command would read.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _standardOutput.ToString();
            }
        }
    }

    /// <summary>The non-empty lines of standard error.</summary>
    public string[] ErrorLines
    {
        get
        {
            lock (_output)
            {
                return _standardError.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>CPU time the process has used so far: a sign it has got past its start-up.</summary>
    public TimeSpan ProcessorTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Starts <c>pipeline <paramref name="arguments"/></c> in <paramref name="workingDirectory"/>.</summary>
    public static PipelineProcess Start(string workingDirectory, params string[] arguments) =>
        Start(new ProcessStartInfo(Muxer), workingDirectory, arguments);

    /// <summary>
    /// Runs <c>pipeline <paramref name="arguments"/></c> to its end with no file it writes allowed past
    /// <paramref name="kilobytes"/> (<c>ulimit -f</c>, no root needed), SIGXFSZ ignored so that a write past
    /// the limit fails with EFBIG, as a write to a full disk fails with ENOSPC. Through <c>/bin/sh</c>, which
    /// every POSIX system has (bash may be missing), and whose <c>ulimit -f</c> counts 512-byte blocks.
    /// </summary>
    public static async Task<PipelineProcess> RunWithFileSizeLimitAsync(string workingDirectory, int kilobytes, params string[] arguments)
    {
        var start = new ProcessStartInfo("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"trap '' XFSZ; ulimit -f {kilobytes * 2}; exec \"$@\""));
        start.ArgumentList.Add("sh");
        start.ArgumentList.Add(Muxer);

        // Write-xor-execute double-maps code through a memory file that the limit would cap too, so the runtime would not start.
        start.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        var child = Start(start, workingDirectory, arguments);
        await child.WaitForExitAsync();
        return child;
    }

    /// <summary>DOTNET_HOST_PATH is the muxer that runs these tests (set by dotnet test); plain "dotnet" otherwise.</summary>
    private static string Muxer => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";

    private static PipelineProcess Start(ProcessStartInfo start, string workingDirectory, string[] arguments)
    {
        start.WorkingDirectory = workingDirectory;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pipeline.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("PIPELINE_DEBUG");
        var process = new Process { StartInfo = start };
        var child = new PipelineProcess(process);
        process.OutputDataReceived += (_, e) => child.Append(e.Data, child._standardOutput);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._standardError);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Runs <c>pipeline <paramref name="arguments"/></c> to its end.</summary>
    public static Task<PipelineProcess> RunAsync(string workingDirectory, params string[] arguments) =>
        RunAsync(workingDirectory, new Dictionary<string, string>(), arguments);

    /// <summary>Runs <c>pipeline <paramref name="arguments"/></c> to its end with <paramref name="environment"/> added to its environment.</summary>
    public static async Task<PipelineProcess> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(Muxer);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var child = Start(start, workingDirectory, arguments);
        try
        {
            await child.WaitForExitAsync();
        }
        catch
        {
            // The caller never gets the child to dispose: one that outlived its patience (a stream that
            // was expected to end) would otherwise run on after the test run.
            child.Dispose();
            throw;
        }

        return child;
    }

    public async Task WaitForExitAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            // Also waits for the end of the redirected streams, so Output is complete afterwards.
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pipeline {string.Join(' ', _process.StartInfo.ArgumentList.SkipWhile(a => !a.EndsWith("pipeline.dll", StringComparison.Ordinal)).Skip(1))} did not exit within {Patience}; output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>
    /// Polls until <paramref name="features"/> holds a closed part, the moment the stop tests interrupt a
    /// run at; fails if the process ended first, since then there was nothing left to interrupt.
    /// </summary>
    public Task WaitForFirstPartAsync(string features) => Poll.UntilAsync(
        () => Directory.Exists(features) && Directory.GetFiles(features, "part-*.parquet").Length > 0,
        Patience,
        TimeSpan.FromMilliseconds(10),
        () => Assert.False(HasExited, $"the process ended before its first part file:{Environment.NewLine}{Output}"));

    /// <summary>SIGTERM, what systemd and <c>docker stop</c> send: the process may stop gracefully.</summary>
    public void Terminate() => Signal("-TERM");

    /// <summary>SIGKILL (on Unix <see cref="Process.Kill(bool)"/> sends it): no handler runs, nothing is flushed.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    /// <summary>SIGSTOP: the process is frozen where it is, holding its files and locks, until <see cref="Resume"/>.</summary>
    public void Suspend() => Signal("-STOP");

    /// <summary>SIGCONT: a suspended process carries on.</summary>
    public void Resume() => Signal("-CONT");

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            stream.AppendLine(line);
        }
    }
}
