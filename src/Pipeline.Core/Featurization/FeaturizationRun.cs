namespace Pipeline.Featurization;

/// <summary>
/// A featurization run in progress as the health endpoint sees it: its counters, and for a stream
/// its options, which name the folders it lands images from. Compared by reference: each run is one.
/// </summary>
internal sealed class FeaturizationRun(string store, FeaturizationCounters counters, StreamOptions? stream)
{
    /// <summary>The feature store it writes, for messages.</summary>
    public string Store { get; } = store;

    /// <summary>Its live counts.</summary>
    public FeaturizationCounters Counters { get; } = counters;

    /// <summary>Its stream options; null for a batch run.</summary>
    public StreamOptions? Stream { get; } = stream;
}
