using System.Runtime.InteropServices;

namespace Pipeline.IO;

/// <summary>
/// link(2): a second name for a file, sharing its bytes. A new generation of a store lists the parts it
/// keeps this way, in no time and no space; a part is never written in place (only replaced by a
/// rename), so the two names never disagree.
/// </summary>
internal static partial class HardLink
{
    /// <summary>Makes <paramref name="link"/> a new name of <paramref name="existing"/>.</summary>
    /// <exception cref="IOException">The link cannot be made (another filesystem, one without hard links, no space); the message names both.</exception>
    public static void Create(string existing, string link)
    {
        if (Link(existing, link) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Cannot link '{existing}' as '{link}': {Marshal.GetPInvokeErrorMessage(errno)}.");
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
