using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.IO;

/// <summary>
/// Linux's statx(2), for what .NET does not expose: a file's type, its identity (device and
/// inode) and its status-change time (ctime), which the kernel sets on every rename. Unlike <c>struct stat</c>, <c>struct statx</c> has one layout on every architecture,
/// so it is safe to call directly. On other systems nothing is known and every call returns false.
/// </summary>
internal static partial class Statx
{
    private const int CurrentDirectory = -100;
    private const int EmptyPath = 0x1000;
    private const uint TypeAndInode = 0x0001 | 0x0100;

    /// <summary>STATX_MTIME | STATX_CTIME | STATX_SIZE: asked for too, but a filesystem may not fill them.</summary>
    private const uint TimesAndSize = 0x0040 | 0x0080 | 0x0200;

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
        if (!OperatingSystem.IsLinux() || Call(directory, path, flags, TypeAndInode | TimesAndSize, out var buffer) != 0 || (buffer.Mask & TypeAndInode) != TypeAndInode)
        {
            status = default;
            return false;
        }

        status = new FileStatus(buffer.Mode & 0xF000, buffer.DeviceMajor, buffer.DeviceMinor, buffer.Inode);
        if ((buffer.Mask & TimesAndSize) == TimesAndSize)
        {
            status = status with
            {
                Size = (long)buffer.Size,
                ModifiedUnixNs = UnixNs(buffer.ModifiedSeconds, buffer.ModifiedNanoseconds),
                ChangedUnixNs = UnixNs(buffer.ChangedSeconds, buffer.ChangedNanoseconds),
            };
        }

        return true;
    }

    private static long UnixNs(long seconds, uint nanoseconds) => (seconds * 1_000_000_000) + nanoseconds;

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

        [FieldOffset(40)]
        public ulong Size;

        [FieldOffset(96)]
        public long ChangedSeconds;

        [FieldOffset(104)]
        public uint ChangedNanoseconds;

        [FieldOffset(112)]
        public long ModifiedSeconds;

        [FieldOffset(120)]
        public uint ModifiedNanoseconds;

        [FieldOffset(136)]
        public uint DeviceMajor;

        [FieldOffset(140)]
        public uint DeviceMinor;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Call(int directory, string path, int flags, uint mask, out StatxBuffer buffer);
}
