namespace Pipeline.IO;

/// <summary>
/// An I/O error met while writing a hidden temporary file, told under the name of the file it was to
/// become: "No space left on device : '…/run.json'" says what could not be written, where the
/// temporary name ('…/.run.json.3f2a….tmp') names a file the user never sees and that is already gone.
/// </summary>
internal static class TemporaryFileError
{
    /// <summary>
    /// True for what a failed write, flush or rename throws: an <see cref="IOException"/> (ENOSPC, EIO,
    /// EDQUOT…), or the <see cref="ArgumentOutOfRangeException"/> for parameter <c>value</c> that .NET
    /// throws for EFBIG, a file past the file system's or the process's (<c>ulimit -f</c>) size limit.
    /// </summary>
    public static bool IsWriteFailure(Exception error) =>
        error is IOException or ArgumentOutOfRangeException { ParamName: "value" };

    /// <summary>
    /// <paramref name="error"/> as an <see cref="IOException"/> whose message names the targets instead of
    /// the temporary files (or names the first target when it names none); the original stays as the
    /// inner exception.
    /// </summary>
    public static IOException NameTargets(Exception error, params ReadOnlySpan<(string Temporary, string Target)> files)
    {
        ArgumentNullException.ThrowIfNull(error);
        var message = error is IOException ? error.Message : "File too large for the file system or the process's file size limit";
        var named = false;
        foreach (var (temporary, target) in files)
        {
            if (message.Contains(temporary, StringComparison.Ordinal))
            {
                message = message.Replace(temporary, target, StringComparison.Ordinal);
                named = true;
            }
        }

        if (!named && files.Length > 0)
        {
            message = $"{message.TrimEnd('.')} : '{files[0].Target}'";
        }

        return new IOException(message, error);
    }
}
