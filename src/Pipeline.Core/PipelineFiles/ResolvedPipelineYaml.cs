using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using Pipeline.Runs;

namespace Pipeline.PipelineFiles;

/// <summary>
/// Writes a run's fully resolved configuration (<c>resolved.yaml</c>): every default filled in, paths
/// absolute, the model actually used. It is itself a valid pipeline file, so a run can be repeated from
/// its folder exactly as it ran.
/// </summary>
internal static class ResolvedPipelineYaml
{
    /// <summary>The resolved configuration as YAML text.</summary>
    public static string Write(PipelineDefinition definition, string resolvedModel)
    {
        var d = definition;
        var root = new YamlMappingNode
        {
            { "name", Text(d.Name) },
            { "source", Source(d.Source) },
        };
        if (d.TestSource is not null)
        {
            root.Add("testSource", Source(d.TestSource));
        }

        // The model actually used, without the prefer list: re-running resolved.yaml must not switch models
        // because a model file appeared since.
        root.Add("model", new YamlMappingNode { { "name", Text(resolvedModel) } });
        root.Add("featurize", new YamlMappingNode
        {
            { "batchSize", Number(d.Featurize.BatchSize) },
            { "parallelism", Number(d.Featurize.Parallelism) },
            { "device", Enum(d.Featurize.Device) },
            { "rowsPerPart", Number(d.Featurize.RowsPerPart) },
            { "partSeconds", Number(d.Featurize.PartSeconds) },
            { "arrow", Bool(d.Featurize.Arrow) },
        });
        root.Add("limits", new YamlMappingNode
        {
            { "maxFileBytes", Number(d.Limits.MaxFileBytes) },
            { "maxPixels", Number(d.Limits.MaxPixels) },
            { "maxDecodeSeconds", Number(d.Limits.MaxDecodeTime.TotalSeconds) },
        });
        if (d.Split is not null)
        {
            root.Add("split", new YamlMappingNode
            {
                { "testFraction", Number(d.Split.TestFraction) },
                { "seed", Number(d.Split.Seed) },
                { "stratify", Bool(d.Split.Stratify) },
            });
        }

        root.Add("train", new YamlMappingNode
        {
            { "maxIter", Number(d.Train.MaxIter) },
            { "regParam", Number(d.Train.RegParam) },
            { "elasticNetParam", Number(d.Train.ElasticNetParam) },
            { "tol", Number(d.Train.Tol) },
            { "standardization", Bool(d.Train.Standardization) },
            { "fitIntercept", Bool(d.Train.FitIntercept) },
        });
        if (d.Grid is not null)
        {
            root.Add("grid", new YamlMappingNode
            {
                { "regParam", Numbers(d.Grid.RegParam) },
                { "elasticNetParam", Numbers(d.Grid.ElasticNetParam) },
                { "folds", Number(d.Grid.Folds) },
                { "metric", Enum(d.Grid.Metric) },
                { "seed", Number(d.Grid.Seed) },
            });
        }

        root.Add("evaluate", new YamlMappingNode { { "enabled", Bool(d.Evaluate) } });
        if (d.Predict is not null)
        {
            root.Add("predict", new YamlMappingNode { { "inputs", new YamlSequenceNode(d.Predict.Inputs.Select(Text)) } });
        }

        root.Add("output", Text(d.Output));

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var yaml = writer.ToString();

        // YamlStream ends every document with an explicit "..." marker; a pipeline file never needs it.
        return yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
    }

    private static YamlMappingNode Source(SourceDefinition source)
    {
        var node = new YamlMappingNode { { "kind", Enum(source.Kind) } };
        if (source.Kind == SourceKind.Idx)
        {
            node.Add("images", Text(source.Images!));
            node.Add("labels", Text(source.Labels!));
        }
        else
        {
            node.Add("path", Text(source.Path!));
        }

        return node;
    }

    // Text is always quoted so that a name like "true", "1e3" or "null" reads back as text.
    private static YamlScalarNode Text(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    private static YamlScalarNode Number(long value) => new(value.ToString(CultureInfo.InvariantCulture));

    private static YamlScalarNode Number(double value) => new(value.ToString("R", CultureInfo.InvariantCulture));

    private static YamlScalarNode Bool(bool value) => new(value ? "true" : "false");

    private static YamlScalarNode Enum<TEnum>(TEnum value)
        where TEnum : struct, Enum => new(YamlSection.CamelCase(value.ToString()));

    private static YamlSequenceNode Numbers(IEnumerable<double> values) =>
        new(values.Select(Number)) { Style = SequenceStyle.Flow };
}
