namespace Pipeline.Prediction;

/// <summary>What <see cref="PredictionJob"/> wrote.</summary>
/// <param name="OutputPath">The predictions file (absolute).</param>
/// <param name="Predicted">Images classified.</param>
/// <param name="Rejected">Images that could not be read or decoded (rows with a reject reason).</param>
/// <param name="Elapsed">Wall time of the job.</param>
/// <param name="ExecutionProvider">Where the featurizer ran: CPU or CUDA.</param>
public sealed record PredictionJobResult(string OutputPath, int Predicted, int Rejected, TimeSpan Elapsed, string ExecutionProvider);
