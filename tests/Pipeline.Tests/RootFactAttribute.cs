using System.Diagnostics;

namespace Pipeline.Tests;

/// <summary>
/// A test that needs root (it mounts a size-limited tmpfs): skipped unless <c>PIPELINE_TEST_ROOT=1</c> is set
/// and <c>mount -t tmpfs</c> works here, so the suite passes as an ordinary user; for <c>.ci/run</c>, which
/// runs as root, to set.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RootFactAttribute : FactAttribute
{
    public const string Variable = "PIPELINE_TEST_ROOT";

    public RootFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"needs root to mount a tmpfs; set {Variable}=1 to run it";
        }
        else if (ProbeMount() is { } why)
        {
            Skip = $"{Variable}=1 is set but mount -t tmpfs does not work here: {why}";
        }
    }

    /// <summary>Mounts <c>size=<paramref name="size"/></c> tmpfs on <paramref name="folder"/>; throws with mount's message when that fails.</summary>
    public static void Mount(string folder, string size) => Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder);

    /// <summary>Changes the size of the tmpfs mounted on <paramref name="folder"/>, keeping its files.</summary>
    public static void Resize(string folder, string size) => Run("mount", "-o", $"remount,size={size}", folder);

    /// <summary>Makes the tmpfs mounted on <paramref name="folder"/> read-only, keeping its files: no process, root included, can then create a file in it.</summary>
    public static void MakeReadOnly(string folder) => Run("mount", "-o", "remount,ro", folder);

    public static void Unmount(string folder) => Run("umount", folder);

    private static string? ProbeMount()
    {
        var folder = Directory.CreateTempSubdirectory("pipeline-mount-probe-").FullName;
        try
        {
            Mount(folder, "64k");
            Unmount(folder);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
        finally
        {
            Directory.Delete(folder);
        }
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Trim()}");
        }
    }
}
