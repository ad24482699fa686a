using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="MetricsOptions"/> at start-up, naming the configuration key and the allowed range of its definition.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <summary>The transports <see cref="MetricsOptions.OtlpProtocol"/> takes, as OpenTelemetry's <c>OTEL_EXPORTER_OTLP_PROTOCOL</c> spells them.</summary>
    public static readonly IReadOnlyList<string> Protocols = ["grpc", "http/protobuf"];

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var errors = new ConfigurationErrors(MetricsOptions.SectionName);
        errors.Check(SettingCatalog.Metrics.Port, options.Port);

        if (!string.IsNullOrEmpty(options.OtlpEndpoint)
            && !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"{errors.Key(SettingCatalog.Metrics.OtlpEndpoint)} must be an absolute http or https URI, got '{options.OtlpEndpoint}'");
        }

        if (!Protocols.Contains(options.OtlpProtocol, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{errors.Key(SettingCatalog.Metrics.OtlpProtocol)} must be one of {string.Join(", ", Protocols)}, got '{options.OtlpProtocol}'");
        }

        errors.Check(SettingCatalog.Metrics.ExportInterval, options.ExportInterval);
        errors.Check(SettingCatalog.Metrics.StuckAfter, options.StuckAfter);
        return errors.Result;
    }
}
