namespace Pipeline.IO;

/// <summary>
/// Replaces a file so that a reader (or a crash) sees either the old or the new content, never a
/// torn one: write a hidden sibling temp file, flush it to disk, rename(2) it over the target, and sync the folder.
/// A failure (a full disk) removes the temp file and is reported under the target's name.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> atomically with what <paramref name="write"/> puts into the stream it is given.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        // Hidden, so that a folder source or a part listing never mistakes a half-written file for data.
        var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                await write(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
            DirectorySync.Flush(Path.GetDirectoryName(temp)!);
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            throw TemporaryFileError.NameTargets(e, (temp, path));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>Writes <paramref name="content"/> (UTF-8) to <paramref name="path"/> atomically.</summary>
    public static Task WriteAllTextAsync(string path, string content, CancellationToken cancellationToken = default) =>
        WriteAsync(path, async (stream, ct) =>
        {
            var writer = new StreamWriter(stream, leaveOpen: true);
            await using var _ = writer.ConfigureAwait(false);
            await writer.WriteAsync(content.AsMemory(), ct).ConfigureAwait(false);
            await writer.FlushAsync(ct).ConfigureAwait(false);
        }, cancellationToken);

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> atomically.</summary>
    public static Task WriteAllBytesAsync(string path, byte[] content, CancellationToken cancellationToken = default) =>
        WriteAsync(path, (stream, ct) => stream.WriteAsync(content, ct).AsTask(), cancellationToken);
}
