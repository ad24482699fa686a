using Pipeline.IO;

namespace Pipeline.Inference;

/// <summary>
/// Where the quantized featurizers of one model file are kept (<c>&lt;model&gt;.int8-&lt;key&gt;.onnx</c>,
/// see <see cref="Int8Calibrator.CacheKey"/>): chosen once here, for every run and every lookup.
/// </summary>
/// <remarks>
/// Written to the first of: <see cref="DirectoryVariable"/> when set; the model's own folder when
/// this process can create a file there; else <c>$XDG_CACHE_HOME/pipeline</c>, or
/// <c>~/.cache/pipeline</c> without it. The model's folder is not writable where the models are
/// installed by another user (the container image's <c>models/</c> is root's and the image runs
/// as user 1654), and a run must not fail for want of a cache. Found in the model's folder first
/// (where an image may ship graphs quantized at build time), then in the folder written to.
/// </remarks>
internal sealed class QuantizedModelCache
{
    /// <summary>The environment variable that names the cache folder, overriding the choice.</summary>
    public const string DirectoryVariable = "PIPELINE_CACHE_DIR";

    private readonly string _stem;

    private QuantizedModelCache(string onnxPath, string writeDirectory, string reason)
    {
        _stem = Path.GetFileNameWithoutExtension(onnxPath);
        var beside = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        WriteDirectory = writeDirectory;
        Reason = reason;
        Directories = string.Equals(beside, writeDirectory, StringComparison.Ordinal) ? [beside] : [beside, writeDirectory];
    }

    /// <summary>The folder new quantized featurizers are written to.</summary>
    public string WriteDirectory { get; }

    /// <summary>Why <see cref="WriteDirectory"/> was chosen, for the log.</summary>
    public string Reason { get; }

    /// <summary>The folders looked in, in order.</summary>
    public IReadOnlyList<string> Directories { get; }

    /// <summary>The cache of <paramref name="onnxPath"/>, with the folder chosen from <paramref name="environment"/> (see the remarks).</summary>
    public static QuantizedModelCache For(string onnxPath, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment(DirectoryVariable) is { Length: > 0 } configured)
        {
            return new QuantizedModelCache(onnxPath, Path.GetFullPath(configured), $"{DirectoryVariable} is set");
        }

        var beside = Path.GetDirectoryName(Path.GetFullPath(onnxPath))!;
        if (CanCreateFileIn(beside))
        {
            return new QuantizedModelCache(onnxPath, beside, "beside the model");
        }

        var folder = environment("XDG_CACHE_HOME") is { Length: > 0 } xdg
            ? Path.Combine(Path.GetFullPath(xdg), "pipeline")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "pipeline");
        return new QuantizedModelCache(onnxPath, folder, $"the model's folder '{beside}' is not writable; set {DirectoryVariable} to choose another");
    }

    /// <summary>The file name of the quantized featurizer keyed <paramref name="cacheKey"/>.</summary>
    public string FileName(string cacheKey) => $"{_stem}.int8-{cacheKey[..16]}.onnx";

    /// <summary>The cached file keyed <paramref name="cacheKey"/>, or null when no folder holds it.</summary>
    public string? Find(string cacheKey) =>
        Directories.Select(d => Path.Combine(d, FileName(cacheKey))).FirstOrDefault(File.Exists);

    /// <summary>Writes the quantized featurizer keyed <paramref name="cacheKey"/> whole (a reader never sees half a file) and returns its path.</summary>
    /// <exception cref="IOException">The cache folder cannot be written; the message names it and the variable that moves it.</exception>
    public async Task<string> WriteAsync(string cacheKey, byte[] quantized, CancellationToken cancellationToken)
    {
        var path = Path.Combine(WriteDirectory, FileName(cacheKey));
        try
        {
            Directory.CreateDirectory(WriteDirectory);
            await AtomicFile.WriteAllBytesAsync(path, quantized, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new IOException($"The int8 cache '{WriteDirectory}' cannot be written ({e.Message}); set {DirectoryVariable} to a writable folder.", e);
        }

        return path;
    }

    /// <summary>Whether this process can create a file in <paramref name="folder"/>: permissions, a read-only mount and ACLs all answer by trying.</summary>
    private static bool CanCreateFileIn(string folder)
    {
        var probe = Path.Combine(folder, $".pipeline-write-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
            }

            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }
}
