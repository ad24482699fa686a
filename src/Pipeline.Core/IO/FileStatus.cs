namespace Pipeline.IO;

/// <summary>What <see cref="Statx"/> reads: the <c>S_IFMT</c> bits of the mode, the device and inode that identify the file, its size and times.</summary>
internal readonly record struct FileStatus(int Type, uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    public const int Regular = 0x8000;
    public const int Fifo = 0x1000;
    public const int CharacterDevice = 0x2000;
    public const int BlockDevice = 0x6000;
    public const int Socket = 0xC000;
    public const int Directory = 0x4000;

    /// <summary>Size in bytes; null when the filesystem did not report size and times.</summary>
    public long? Size { get; init; }

    /// <summary>Last write (mtime), in Unix nanoseconds; null with <see cref="Size"/>.</summary>
    public long? ModifiedUnixNs { get; init; }

    /// <summary>
    /// Last status change (ctime), in Unix nanoseconds: set by the kernel on every write, rename,
    /// link or mode change, and never settable by a program, so a file moved in with <c>mv</c> gets a
    /// fresh ctime though it keeps its mtime. Null with <see cref="Size"/>.
    /// </summary>
    public long? ChangedUnixNs { get; init; }

    /// <summary>True when both name the same file (device and inode), whatever their type bits.</summary>
    public bool IsSameFileAs(FileStatus other) =>
        (DeviceMajor, DeviceMinor, Inode) == (other.DeviceMajor, other.DeviceMinor, other.Inode);
}
