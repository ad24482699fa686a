namespace Pipeline.Sources;

/// <summary>What makes a file at one path the same file: inode, size and mtime (a rename in keeps all three, a rewrite does not).</summary>
internal readonly record struct FileIdentity(ulong Inode, long Size, long ModifiedUnixNs);
