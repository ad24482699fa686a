using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.IO;

/// <summary>
/// Lets one process at a time work in a folder (a run folder, a feature store, a predictions file's
/// folder): an exclusive lock on a hidden file in it, held until disposed. The holder writes its pid
/// into the file, so that the one turned away can say who holds it.
/// </summary>
/// <remarks>
/// <para>The lock is the kernel's, not the file's existence: for <see cref="FileShare.None"/> .NET
/// takes flock(LOCK_EX), which the kernel releases when the process ends however it ends,
/// <c>kill -9</c> included, so a stale file never blocks the next run (it is simply locked again).
/// flock belongs to the open file, so two lockers inside one process exclude each other too.</para>
/// <para>The holder deletes the file before it unlocks it, so a finished run leaves nothing behind.
/// A process that opened the file just before that then locks a deleted file; it therefore checks,
/// once it has the lock, that the path still names the file it locked (device and inode), and
/// starts again if not.</para>
/// <para>Every <see cref="FileStream"/> open takes a flock, shared for reading, which the holder's
/// excludes; the pid is therefore read through a plain open(2).</para>
/// </remarks>
internal sealed partial class FolderLock : IDisposable
{
    /// <summary>What .NET reports as the <see cref="Exception.HResult"/> of a lock held elsewhere: EWOULDBLOCK.</summary>
    private const int WouldBlock = 11;

    /// <summary>Each retry needs another process to take and release the lock in between; more than this means churn.</summary>
    private const int MaxAttempts = 10;

    private const int ReadOnly = 0;
    private const int CloseOnExec = 0x80000;

    private readonly FileStream _file;
    private readonly string _path;

    private FolderLock(FileStream file, string path)
    {
        _file = file;
        _path = path;
    }

    /// <summary>
    /// Takes the lock <paramref name="fileName"/> in <paramref name="folder"/> (which must exist),
    /// or returns null when another process holds it, with that holder's pid when it can be read.
    /// </summary>
    /// <exception cref="IOException">The lock file cannot be created or opened for another reason.</exception>
    public static FolderLock? TryAcquire(string folder, string fileName, out int? holderPid)
    {
        var path = Path.Combine(folder, fileName);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            FileStream file;
            try
            {
                file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
            }
            catch (IOException e) when (e.HResult == WouldBlock)
            {
                holderPid = ReadPid(path);
                return null;
            }

            if (!IsStillAt(file, path))
            {
                // Deleted by its last holder between our open and our lock: what we hold is not the lock.
                file.Dispose();
                continue;
            }

            try
            {
                file.SetLength(0);
                file.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            }
            catch
            {
                file.Dispose();
                throw;
            }

            holderPid = null;
            return new FolderLock(file, path);
        }

        holderPid = null;
        return null;
    }

    /// <summary>" (pid N)" for a known holder, empty otherwise: the tail of a "held by another process" message.</summary>
    public static string DescribeHolder(int? pid) => pid is { } p ? $" (pid {p})" : string.Empty;

    /// <summary>
    /// Deletes the lock file, then releases the lock (in that order: see the remarks). A file that
    /// cannot be deleted (its folder was removed or made read-only under the holder) is left: it
    /// excludes nobody, and an exception from here would replace whatever ended the holder's work.
    /// </summary>
    public void Dispose()
    {
        try
        {
            File.Delete(_path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind, as after kill -9: the next process locks it again.
        }
        finally
        {
            _file.Dispose();
        }
    }

    /// <summary>True when <paramref name="path"/> names the open <paramref name="file"/>; also where that cannot be checked.</summary>
    private static bool IsStillAt(FileStream file, string path)
    {
        if (!Statx.TryGet(file.SafeFileHandle, out var locked))
        {
            return true;
        }

        return Statx.TryGet(path, out var named) && named.IsSameFileAs(locked);
    }

    /// <summary>The pid the holder wrote, or null before it has written one or once it is gone.</summary>
    private static int? ReadPid(string path)
    {
        using var handle = new SafeFileHandle(Open(path, ReadOnly | CloseOnExec), ownsHandle: true);
        if (handle.IsInvalid)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[16];
        var read = RandomAccess.Read(handle, bytes, 0);
        return int.TryParse(bytes[..read].TrimEnd((byte)'\n'), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);
}
