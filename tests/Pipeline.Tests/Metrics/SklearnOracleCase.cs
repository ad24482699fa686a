using System.Text.Json;

namespace Pipeline.Tests.Metrics;

/// <summary>
/// One fixture written by scripts/make_evaluation_oracle.py: inputs and sklearn 1.2.1's outputs.
/// </summary>
internal sealed class SklearnOracleCase
{
    private SklearnOracleCase(JsonElement root)
    {
        ClassNames = root.GetProperty("classNames").EnumerateArray().Select(e => e.GetString()!).ToArray();
        YTrue = root.GetProperty("yTrue").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Probabilities = root.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Expected = root.GetProperty("expected");
    }

    public static readonly string[] Names = ["dirichlet_200x5", "class_never_predicted", "class_absent_from_truth", "tied_scores"];

    public string[] ClassNames { get; }

    public int[] YTrue { get; }

    public double[] Probabilities { get; }

    public JsonElement Expected { get; }

    public static SklearnOracleCase Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Evaluation", name + ".json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return new SklearnOracleCase(document.RootElement.Clone());
    }

    public double[] Doubles(string property) => Expected.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static double? NullableDouble(JsonElement element) => element.ValueKind == JsonValueKind.Null ? null : element.GetDouble();
}
