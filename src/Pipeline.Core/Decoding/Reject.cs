namespace Pipeline.Decoding;

/// <summary>
/// An image that could not be featurized: bad input is data routed to the rejects sink, not an
/// exception that tears down the run.
/// </summary>
/// <param name="Path">The image's path (or source identifier).</param>
/// <param name="Stage">Where it failed: <see cref="RejectStages"/>.</param>
/// <param name="Reason">One sentence a person can act on.</param>
internal sealed record Reject(string Path, string Stage, string Reason);

/// <summary>The stage names written to <c>rejects.parquet</c>.</summary>
internal static class RejectStages
{
    public const string Read = "read";
    public const string Decode = "decode";
    public const string Limits = "limits";

    /// <summary>The model gave the image a NaN or infinite feature.</summary>
    public const string Features = "features";
}
