using Microsoft.Extensions.Logging;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// The last sink of a stream with <c>stream.after: archive</c> or <c>delete</c>: moves or deletes
/// each landed file of a batch once the sinks before it (the feature store's and the rejects',
/// which commit each batch) hold its row or its reject, so a file leaves the landing folder only
/// when what it became is durable.
/// </summary>
/// <remarks>
/// A file that cannot be moved or deleted is logged and left where it is: it is never lost, and as
/// its row is committed the feature cache keeps it from being featurized again. A restart settles
/// the files a kill caught between the commit and the move (<see cref="Settle"/> on cached images).
/// An archive on another filesystem than the landing folder is a copy then a delete, which a kill
/// can cut after the copy; the next start then moves the file again over the copy.
/// </remarks>
internal sealed class LandedFileSink : IFeaturizationSink
{
    private readonly StreamOptions _options;
    private readonly ILogger _logger;

    public LandedFileSink(StreamOptions options, ILogger logger)
    {
        if (options.After == LandedFileAction.Archive && string.IsNullOrWhiteSpace(options.ArchiveFolder))
        {
            throw new ArgumentException($"{nameof(StreamOptions.After)} {LandedFileAction.Archive} needs an {nameof(StreamOptions.ArchiveFolder)}.", nameof(options));
        }

        _options = options;
        _logger = logger;
    }

    public ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch.Records.Span)
        {
            Settle(record.Path, (record.FileBytes, record.FileModifiedUnixMs));
        }

        for (var i = 0; i < batch.Rejects.Count; i++)
        {
            Settle(batch.Rejects[i].Path, batch.RejectStamps?[i]);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Archives or deletes the landed file at <paramref name="path"/>, whose row or reject is
    /// committed. With the <paramref name="stamp"/> its row was keyed by (or its reject's file had
    /// when it was yielded), a file that no longer has it was replaced or finished since it landed,
    /// and is left for the stream to featurize: an upload rejected half-written must not be deleted
    /// once it is whole.
    /// </summary>
    public void Settle(string path, (long Bytes, long ModifiedUnixMs)? stamp)
    {
        var file = new FileInfo(path);
        if (_options.After == LandedFileAction.Keep || !file.Exists || (stamp is { } expected && FileStamp.Of(file) != expected))
        {
            return;
        }

        try
        {
            if (_options.After == LandedFileAction.Delete)
            {
                File.Delete(path);
                return;
            }

            var target = ArchivePath(_options.ArchiveFolder!, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(path, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning("Could not {Action} the landed file {Path}, whose row is committed; it stays where it is: {Reason}", _options.After.ToString().ToLowerInvariant(), path, e.Message);
        }
    }

    /// <summary>Where <paramref name="path"/> is archived: its full path, less the root, under <paramref name="archiveFolder"/>.</summary>
    public static string ArchivePath(string archiveFolder, string path)
    {
        var full = Path.GetFullPath(path);
        return Path.Combine(Path.GetFullPath(archiveFolder), Path.GetRelativePath(Path.GetPathRoot(full)!, full));
    }
}
