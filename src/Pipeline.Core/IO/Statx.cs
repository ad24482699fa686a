using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.IO;

/// <summary>
/// Linux's statx(2), for what .NET does not expose: a file's type and its identity (device and
/// inode). Unlike <c>struct stat</c>, <c>struct statx</c> has one layout on every architecture,
/// so it is safe to call directly. On other systems nothing is known and every call returns false.
/// </summary>
internal static partial class Statx
{
    private const int CurrentDirectory = -100;
    private const int EmptyPath = 0x1000;
    private const uint TypeAndInode = 0x0001 | 0x0100;

    /// <summary>Status of <paramref name="path"/>, following symbolic links; false when it cannot be read (missing, no access).</summary>
    public static bool TryGet(string path, out FileStatus status) =>
        TryGet(CurrentDirectory, path, 0, out status);

    /// <summary>Status of the open <paramref name="file"/>, whatever its path now names.</summary>
    public static bool TryGet(SafeFileHandle file, out FileStatus status)
    {
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return TryGet((int)file.DangerousGetHandle(), string.Empty, EmptyPath, out status);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    private static bool TryGet(int directory, string path, int flags, out FileStatus status)
    {
        if (!OperatingSystem.IsLinux() || Call(directory, path, flags, TypeAndInode, out var buffer) != 0 || (buffer.Mask & TypeAndInode) != TypeAndInode)
        {
            status = default;
            return false;
        }

        status = new FileStatus(buffer.Mode & 0xF000, buffer.DeviceMajor, buffer.DeviceMinor, buffer.Inode);
        return true;
    }

    /// <summary>The fields of <c>struct statx</c> (linux/stat.h) read here; the kernel fills 256 bytes.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 256)]
    private struct StatxBuffer
    {
        [FieldOffset(0)]
        public uint Mask;

        [FieldOffset(28)]
        public ushort Mode;

        [FieldOffset(32)]
        public ulong Inode;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Call(int directory, string path, int flags, uint mask, out StatxBuffer buffer);
}
