using System.Text.RegularExpressions;

namespace Pipeline.Inference;

/// <summary>
/// Why the CUDA execution provider could not start, in a few words taken from ONNX Runtime's
/// error: the missing library (<c>libcublasLt.so.13</c>, <c>libcudnn.so.9</c>), the provider that
/// did not load, or CUDA's own message. ORT's text carries a source path, a C++ signature and the
/// whole loader chain, which on a CPU-only machine would be printed on every run for nothing.
/// </summary>
internal static partial class CudaUnavailableReason
{
    private const int MaxLength = 160;

    /// <summary>A short reason for <paramref name="error"/>, one line, at most <see cref="MaxLength"/> characters.</summary>
    public static string From(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error.Message;

        // The dependency the loader could not find is the actionable part, not the provider it was loading for.
        if (MissingLibrary().Match(message) is { Success: true } missing)
        {
            return $"{missing.Groups["name"].Value} was not found";
        }

        if (UnloadableLibrary().Match(message) is { Success: true } library)
        {
            return $"{Path.GetFileName(library.Groups["path"].Value)} could not be loaded";
        }

        if (CudaFailure().Match(message) is { Success: true } cuda)
        {
            return cuda.Groups["text"].Value.Trim();
        }

        var line = message.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? error.GetType().Name;
        line = OrtPrefix().Replace(line, string.Empty);
        return line.Length <= MaxLength ? line : string.Concat(line.AsSpan(0, MaxLength - 1), "…");
    }

    [GeneratedRegex(@"(?<name>[\w.+-]+\.so(?:\.\d+)*): cannot open shared object file")]
    private static partial Regex MissingLibrary();

    [GeneratedRegex(@"(?:Failed to load library |shared library ')(?<path>[^\s']+)")]
    private static partial Regex UnloadableLibrary();

    [GeneratedRegex(@"CUDA failure \d+: (?<text>[^;\r\n]+)")]
    private static partial Regex CudaFailure();

    /// <summary>"[ErrorCode:Fail] /onnxruntime_src/….cc:2043 signature [ONNXRuntimeError] : 1 : FAIL : ".</summary>
    [GeneratedRegex(@"^\[ErrorCode:\w+\].*?:\s*\d+\s*:\s*\w+\s*:\s*")]
    private static partial Regex OrtPrefix();
}
