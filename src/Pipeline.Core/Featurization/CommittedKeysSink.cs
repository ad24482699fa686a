namespace Pipeline.Featurization;

/// <summary>
/// Adds each batch's rows to a stream's featurization cache once the feature store sink before it
/// has committed them, so an image that lands again unchanged is skipped like one committed by an
/// earlier run: the rows a reader sees stay one per image whatever the source yields twice.
/// </summary>
internal sealed class CommittedKeysSink(FeaturizationCache cache) : IFeaturizationSink
{
    public ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        cache.Add(batch.Records.Span);
        return ValueTask.CompletedTask;
    }
}
