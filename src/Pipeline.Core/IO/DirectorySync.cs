using System.Runtime.InteropServices;

namespace Pipeline.IO;

/// <summary>
/// fsync(2) on a folder, which makes the renames into it durable: a file flushed to disk and
/// renamed into place can still vanish in a power cut until its folder's entry is on disk too.
/// The commit of a part or a table is durable only then, and a stream that deletes a landed file
/// once its row is committed would otherwise lose the image with the power.
/// </summary>
internal static partial class DirectorySync
{
    private const int ReadOnlyDirectory = 0x10000 | 0x80000; // O_RDONLY | O_DIRECTORY | O_CLOEXEC

    private const int InvalidArgument = 22; // EINVAL: the filesystem cannot sync a folder.

    /// <summary>Forces <paramref name="directory"/>'s entries to disk (Linux; elsewhere the filesystem's default).</summary>
    /// <exception cref="IOException">The folder cannot be opened or synced; the message names it.</exception>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var descriptor = Open(directory, ReadOnlyDirectory);
        if (descriptor < 0)
        {
            throw new IOException($"Cannot open folder '{directory}' to sync it: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        try
        {
            if (Fsync(descriptor) != 0 && Marshal.GetLastPInvokeError() != InvalidArgument)
            {
                throw new IOException($"Cannot sync folder '{directory}' to disk: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}
