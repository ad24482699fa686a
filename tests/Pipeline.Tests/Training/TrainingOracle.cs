using System.Text.Json;
using Pipeline.Training;

namespace Pipeline.Tests.Training;

/// <summary>Fixtures/Training/oracle.json, written by scripts/make_training_oracle.py (sklearn 1.2.1).</summary>
internal sealed class TrainingOracle
{
    private static readonly Lazy<TrainingOracle> Loaded = new(Load);

    private TrainingOracle(TrainingSet data, IReadOnlyList<OracleCase> cases)
    {
        Data = data;
        Cases = cases;
    }

    public static TrainingOracle Instance => Loaded.Value;

    public TrainingSet Data { get; }

    public IReadOnlyList<OracleCase> Cases { get; }

    public OracleCase Case(string name) => Cases.Single(c => c.Name == name);

    /// <summary>
    /// The objective in double precision, written independently of the trainer: mean log-loss +
    /// regParam·((1−α)/2·Σ(β s)² + α·Σ|β s|) with s = σ (sample std) under standardization, else 1.
    /// </summary>
    public static double Objective(TrainingSet data, double[] coefficients, double[] intercepts, double regParam, double alpha, bool standardization)
    {
        int n = data.Count, d = data.Dimension, k = data.ClassCount;
        var scale = standardization ? SampleStandardDeviations(data) : Enumerable.Repeat(1.0, d).ToArray();
        var loss = 0.0;
        var margins = new double[k];
        for (var i = 0; i < n; i++)
        {
            for (var c = 0; c < k; c++)
            {
                margins[c] = intercepts[c];
                for (var j = 0; j < d; j++)
                {
                    margins[c] += coefficients[c * d + j] * data.Features[i * d + j];
                }
            }

            var max = margins.Max();
            loss += Math.Log(margins.Sum(m => Math.Exp(m - max))) + max - margins[data.Labels[i]];
        }

        double l2 = 0, l1 = 0;
        for (var c = 0; c < k; c++)
        {
            for (var j = 0; j < d; j++)
            {
                var b = coefficients[c * d + j] * scale[j];
                l2 += b * b;
                l1 += Math.Abs(b);
            }
        }

        return loss / n + regParam * ((1 - alpha) / 2 * l2 + alpha * l1);
    }

    public static double[] SampleStandardDeviations(TrainingSet data)
    {
        int n = data.Count, d = data.Dimension;
        var result = new double[d];
        for (var j = 0; j < d; j++)
        {
            var mean = 0.0;
            for (var i = 0; i < n; i++)
            {
                mean += data.Features[i * d + j];
            }

            mean /= n;
            var sum = 0.0;
            for (var i = 0; i < n; i++)
            {
                var delta = data.Features[i * d + j] - mean;
                sum += delta * delta;
            }

            result[j] = Math.Sqrt(sum / (n - 1));
        }

        return result;
    }

    private static TrainingOracle Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Training", "oracle.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var root = document.RootElement;
        var features = root.GetProperty("features").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();
        var labels = root.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
        var data = new TrainingSet(features, labels, root.GetProperty("dimension").GetInt32(), root.GetProperty("classes").GetInt32());
        var cases = root.GetProperty("cases").EnumerateArray().Select(c => new OracleCase(
            c.GetProperty("name").GetString()!,
            c.GetProperty("regParam").GetDouble(),
            c.GetProperty("elasticNetParam").GetDouble(),
            c.GetProperty("standardization").GetBoolean(),
            c.GetProperty("objective").GetDouble(),
            c.GetProperty("coefficients").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
            c.GetProperty("intercepts").EnumerateArray().Select(v => v.GetDouble()).ToArray())).ToArray();
        return new TrainingOracle(data, cases);
    }
}

internal sealed record OracleCase(
    string Name, double RegParam, double ElasticNetParam, bool Standardization, double Objective, double[] Coefficients, double[] Intercepts)
{
    /// <summary>Tight settings: the comparison is about the optimum, not Spark's default stopping point.</summary>
    public LogisticRegressionOptions Options => new()
    {
        RegParam = RegParam,
        ElasticNetParam = ElasticNetParam,
        Standardization = Standardization,
        MaxIter = 5000,
        Tol = 1e-12,
    };
}
