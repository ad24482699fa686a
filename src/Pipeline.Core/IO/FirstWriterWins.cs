using System.Runtime.InteropServices;
using System.Text;

namespace Pipeline.IO;

/// <summary>
/// Creates a file that only one of many processes, on one machine or many sharing a filesystem, can
/// create: the content is written whole under a name of the caller's own, forced to disk, and then
/// hard-linked to the target with link(2), which fails with EEXIST when the target exists. The
/// check and the creation are one step of the filesystem (NFS too: link is the classic lock-free
/// election there), and unlike an O_EXCL create no one ever sees the target empty or half written.
/// </summary>
internal static partial class FirstWriterWins
{
    private const int AlreadyExists = 17;

    /// <summary>
    /// Creates <paramref name="path"/> holding <paramref name="content"/> unless it exists; returns
    /// whether this call created it. The temporary name beside it is hidden and unique to the call.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written, or link(2) fails for another reason than an existing target.</exception>
    public static bool TryCreate(string path, string content)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                stream.Write(Encoding.UTF8.GetBytes(content));
                stream.Flush(flushToDisk: true);
            }

            if (Link(temporary, path) == 0)
            {
                return true;
            }

            var error = Marshal.GetLastPInvokeError();
            return error == AlreadyExists
                ? false
                : throw new IOException($"Cannot create '{path}': {Marshal.GetPInvokeErrorMessage(error)}.");
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string existing, string created);
}
