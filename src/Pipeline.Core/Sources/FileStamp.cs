namespace Pipeline.Sources;

/// <summary>Reads the size and last write time that key the feature cache.</summary>
internal static class FileStamp
{
    /// <summary>
    /// Size and Unix-ms write time of <paramref name="file"/>, or zeros when it does not exist:
    /// a missing file is the decoder's reject to report, not the source's.
    /// </summary>
    public static (long Bytes, long ModifiedUnixMs) Of(FileInfo file) =>
        file.Exists
            ? (file.Length, new DateTimeOffset(file.LastWriteTimeUtc).ToUnixTimeMilliseconds())
            : (0, 0);
}
