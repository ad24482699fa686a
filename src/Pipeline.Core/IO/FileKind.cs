namespace Pipeline.IO;

/// <summary>
/// Tells a regular file from a FIFO, a device or a socket without opening it: opening a FIFO for
/// reading blocks until a writer appears, and a character device such as <c>/dev/zero</c> reads
/// forever, so an input is checked before it is opened.
/// </summary>
/// <remarks>
/// .NET does not expose the file type: <see cref="File.GetAttributes(string)"/> says
/// <see cref="FileAttributes.Normal"/> for a FIFO and for <c>/dev/null</c> alike. <see cref="Statx"/>
/// does; it follows symbolic links, so a link to a FIFO is a FIFO. Where it is not available
/// (not Linux) nothing is detected, and the per-image decode time limit is what keeps such an input
/// from hanging a run.
/// </remarks>
internal static class FileKind
{
    /// <summary>
    /// What <paramref name="path"/> is ("FIFO", "character device", "block device", "socket",
    /// "directory") when it exists and is not a regular file; null for a regular file and for a path
    /// that cannot be inspected (missing, unreadable folder), whose open then reports why.
    /// </summary>
    public static string? DescribeIfNotRegular(string path)
    {
        if (!Statx.TryGet(path, out var status))
        {
            return null;
        }

        return status.Type switch
        {
            FileStatus.Regular => null,
            FileStatus.Fifo => "FIFO",
            FileStatus.CharacterDevice => "character device",
            FileStatus.BlockDevice => "block device",
            FileStatus.Socket => "socket",
            FileStatus.Directory => "directory",
            _ => "special file",
        };
    }
}
