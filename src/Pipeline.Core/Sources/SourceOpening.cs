using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pipeline.Sources;

/// <summary>
/// What a run hands a source kind besides its definition: the log a source warns into, and how a
/// watched folder is read, which a pipeline file's <c>stream</c> section sets rather than the
/// source's own keys. A kind takes what applies to it and ignores the rest.
/// </summary>
internal sealed record SourceOpening
{
    /// <summary>The defaults: no log, the catalog's watch settings.</summary>
    public static SourceOpening Default { get; } = new();

    /// <summary>Where a source's warnings go (a watched folder's label folder created late, for one).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>How a watch source tells a finished file and how often it lists its folder.</summary>
    public WatchOptions Watch { get; init; } = WatchOptions.Default;
}
