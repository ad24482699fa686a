using System.Runtime.InteropServices;

namespace Pipeline.IO;

/// <summary>
/// rename(2) and renameat2(2) for what <see cref="File.Move(string, string, bool)"/> does not do: put a
/// symbolic link over another one, or swap a folder and a link in one step, so that the name is never
/// missing for a reader.
/// </summary>
internal static partial class AtomicRename
{
    private const int CurrentDirectory = -100;
    private const uint Exchange = 2;

    /// <summary>EINVAL, ENOSYS, EOPNOTSUPP: what renameat2 answers where a filesystem cannot exchange.</summary>
    private static readonly int[] Unsupported = [22, 38, 95];

    /// <summary>Renames <paramref name="source"/> over <paramref name="target"/> whatever each is (a link is renamed, not followed).</summary>
    /// <exception cref="IOException">The rename failed; the message names both paths and the cause.</exception>
    public static void Replace(string source, string target)
    {
        if (Rename(source, target) != 0)
        {
            throw Failed("rename", source, target, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Swaps the two names at once (RENAME_EXCHANGE): each then names what the other named.</summary>
    /// <returns>False where the filesystem (or a kernel older than 3.15) cannot exchange.</returns>
    /// <exception cref="IOException">The exchange failed for another reason.</exception>
    public static bool TryExchange(string first, string second)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        if (RenameAt2(CurrentDirectory, first, CurrentDirectory, second, Exchange) == 0)
        {
            return true;
        }

        var error = Marshal.GetLastPInvokeError();
        return Unsupported.Contains(error) ? false : throw Failed("renameat2(RENAME_EXCHANGE)", first, second, error);
    }

    private static IOException Failed(string call, string source, string target, int errno) =>
        new($"{call} of '{source}' to '{target}' failed: {Marshal.GetPInvokeErrorMessage(errno)}.");

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Rename(string source, string target);

    [LibraryImport("libc", EntryPoint = "renameat2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameAt2(int sourceDirectory, string source, int targetDirectory, string target, uint flags);
}
