namespace Pipeline.Featurization;

/// <summary>
/// Where the featurization graph writes each finished batch: the feature store, the rejects table,
/// a predictions table. The graph hands every batch to its sinks one after another, in the order
/// they were given, so a sink may rely on the ones before it having taken the batch; adding an
/// output is one sink, not a change to the graph.
/// </summary>
/// <remarks>
/// One consumer calls a sink, never two at once, so a sink needs no lock. The sink stage is the
/// one stage a stop's deadline does not cut short (only a fault does), so a batch a sink has begun
/// is written whole; <see cref="WriteAsync"/> should therefore take about as long as a batch's
/// write, not wait on anything a stop would have to interrupt. Completing or closing the output is
/// the job's business, after the graph has returned.
/// </remarks>
internal interface IFeaturizationSink
{
    /// <summary>
    /// Writes one batch. The batch's buffers are reused for a later batch as soon as this returns,
    /// so a sink copies what it keeps.
    /// </summary>
    /// <param name="batch">The batch's rows, their features and its rejects.</param>
    /// <param name="cancellationToken">Fires when the graph faults: another stage failed.</param>
    ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken);
}
