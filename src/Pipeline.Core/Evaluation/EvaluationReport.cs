namespace Pipeline.Evaluation;

/// <summary>The files <see cref="EvaluationReportWriter"/> wrote, as full paths.</summary>
/// <param name="ObjectivePng">Null when no objective history was given.</param>
public sealed record EvaluationReport(
    string Folder,
    string MetricsJson,
    string ReportMarkdown,
    string ConfusionMatrixPng,
    string RocCurvesPng,
    string? ObjectivePng);
