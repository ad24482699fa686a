using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>The metrics and health endpoint and the OTLP export, configuration section <c>Pipeline:Metrics</c>.</summary>
internal sealed record MetricsOptions
{
    /// <summary>The configuration section bound to this record.</summary>
    public const string SectionName = "Pipeline:Metrics";

    /// <summary>Port of the <c>/metrics</c>, <c>/health</c> and <c>/alive</c> listener, on every interface; 0 (the default) turns it off.</summary>
    public int Port { get; init; } = SettingCatalog.Metrics.Port.Default;

    /// <summary>Where OTLP metrics are pushed, an absolute http or https URI; empty (the default) exports nothing.</summary>
    public string OtlpEndpoint { get; init; } = SettingCatalog.Metrics.OtlpEndpoint.Default;

    /// <summary>The OTLP transport: <c>grpc</c> (the default) or <c>http/protobuf</c>.</summary>
    public string OtlpProtocol { get; init; } = SettingCatalog.Metrics.OtlpProtocol.Default;

    /// <summary>How often OTLP metrics are pushed (default 15 s).</summary>
    public TimeSpan ExportInterval { get; init; } = SettingCatalog.Metrics.ExportInterval.Default;

    /// <summary>A run with images waiting and no batch committed for this long is stuck (default 2 min).</summary>
    public TimeSpan StuckAfter { get; init; } = SettingCatalog.Metrics.StuckAfter.Default;
}
