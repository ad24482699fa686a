using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pipeline.Runs;

/// <summary>The <c>run.json</c> format: camelCase keys, enum values as camelCase text, nulls left out.</summary>
internal static class RunRecordJson
{
    /// <summary>Serializer options shared by writer and reader.</summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The record in <paramref name="path"/>, or null when the file is absent or unreadable.</summary>
    public static async Task<RunRecord?> TryReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stream = File.OpenRead(path);
            await using var _ = stream.ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync<RunRecord>(stream, Options, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // run.json is only ever replaced atomically, so a bad one was edited by hand: start afresh.
            return null;
        }
    }

    /// <summary>The record as JSON text.</summary>
    public static string Serialize(RunRecord record) => JsonSerializer.Serialize(record, Options);
}
