namespace Pipeline.IO;

/// <summary>What <see cref="Statx"/> reads: the <c>S_IFMT</c> bits of the mode, and the device and inode that identify the file.</summary>
internal readonly record struct FileStatus(int Type, uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    public const int Regular = 0x8000;
    public const int Fifo = 0x1000;
    public const int CharacterDevice = 0x2000;
    public const int BlockDevice = 0x6000;
    public const int Socket = 0xC000;
    public const int Directory = 0x4000;

    /// <summary>True when both name the same file (device and inode), whatever their type bits.</summary>
    public bool IsSameFileAs(FileStatus other) =>
        (DeviceMajor, DeviceMinor, Inode) == (other.DeviceMajor, other.DeviceMinor, other.Inode);
}
