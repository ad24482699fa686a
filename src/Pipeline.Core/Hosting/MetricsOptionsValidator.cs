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
        var errors = new List<string>();
        var port = SettingCatalog.Metrics.Port;
        if (!port.Allows(options.Port))
        {
            errors.Add(port.OutOfRange(Key(port), options.Port));
        }

        if (!string.IsNullOrEmpty(options.OtlpEndpoint)
            && !(Uri.TryCreate(options.OtlpEndpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            errors.Add($"{Key(SettingCatalog.Metrics.OtlpEndpoint)} must be an absolute http or https URI, got '{options.OtlpEndpoint}'");
        }

        if (!Protocols.Contains(options.OtlpProtocol, StringComparer.OrdinalIgnoreCase))
        {
            errors.Add($"{Key(SettingCatalog.Metrics.OtlpProtocol)} must be one of {string.Join(", ", Protocols)}, got '{options.OtlpProtocol}'");
        }

        Check(SettingCatalog.Metrics.ExportInterval, options.ExportInterval, errors);
        Check(SettingCatalog.Metrics.StuckAfter, options.StuckAfter, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(DurationSetting setting, TimeSpan value, List<string> errors)
    {
        if (!setting.Allows(value))
        {
            errors.Add(setting.OutOfRange(Key(setting), value));
        }
    }

    private static string Key(Setting setting) => $"{MetricsOptions.SectionName}:{setting.ConfigurationKey}";
}
