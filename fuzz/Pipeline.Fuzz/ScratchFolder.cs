namespace Pipeline.Fuzz;

/// <summary>
/// Where a target writes the input the product reads by path. Per process, because SharpFuzz's
/// out-of-process mode restarts the fuzzed child after a hang and two children may briefly overlap;
/// under <c>PIPELINE_FUZZ_SCRATCH</c> (run.sh makes it in /dev/shm and removes it) or else the
/// temp folder, since every execution writes a file.
/// </summary>
internal static class ScratchFolder
{
    public static string Create()
    {
        var root = Environment.GetEnvironmentVariable("PIPELINE_FUZZ_SCRATCH") is { Length: > 0 } scratch ? scratch : Path.GetTempPath();
        var folder = Path.Combine(root, $"pipeline-fuzz-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
