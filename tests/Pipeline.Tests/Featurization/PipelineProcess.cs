using System.Diagnostics;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// Runs the real CLI (<c>pipeline.dll</c>, copied into the test output by the project reference)
/// as a child process, so exit codes and standard error are exactly what a user sees.
/// </summary>
internal static class PipelineProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string[] ErrorLines => StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static async Task<Result> RunAsync(string workingDirectory, params string[] args)
    {
        // The dotnet CLI tells test hosts where it is; a bare "dotnet" on PATH is the fallback.
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pipeline.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("PIPELINE_DEBUG");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pipeline {string.Join(' ', args)} did not exit within 60 s.");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }
}
