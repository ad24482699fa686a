#:project ../src/Pipeline.Core/Pipeline.Core.csproj
#:property TreatWarningsAsErrors=false
#:property PublishAot=false
#:property JsonSerializerIsReflectionEnabledByDefault=true
// Compares two feature stores of the same images row by row (matched on path): mean and minimum
// cosine similarity, e.g. int8 against fp32 features. Usage: dotnet run bench/compare_features.cs -- STORE_A STORE_B
using System.Globalization;
using Pipeline.FeatureStore;

var a = await (await FeatureStoreReader.OpenAsync(args[0])).ReadAllAsync();
var b = await (await FeatureStoreReader.OpenAsync(args[1])).ReadAllAsync();
var rows = Enumerable.Range(0, b.Count).ToDictionary(i => b.Paths[i], i => i, StringComparer.Ordinal);
double sum = 0, min = 1;
var n = 0;
for (var i = 0; i < a.Count; i++)
{
    if (!rows.TryGetValue(a.Paths[i], out var j))
    {
        continue;
    }

    ReadOnlySpan<float> x = a.GetFeatures(i), y = b.GetFeatures(j);
    double dot = 0, nx = 0, ny = 0;
    for (var k = 0; k < x.Length; k++)
    {
        dot += x[k] * (double)y[k];
        nx += x[k] * (double)x[k];
        ny += y[k] * (double)y[k];
    }

    var cosine = dot / Math.Sqrt(nx * ny);
    sum += cosine;
    min = Math.Min(min, cosine);
    n++;
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images: {n}  mean cosine: {sum / n:F4}  min cosine: {min:F4}"));
