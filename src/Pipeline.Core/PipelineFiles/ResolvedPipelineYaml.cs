using System.Globalization;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Settings;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Pipeline.PipelineFiles;

/// <summary>
/// Writes a run's fully resolved configuration (<c>resolved.yaml</c>): every default filled in, paths
/// absolute, the model actually used. It is itself a valid pipeline file, so a run can be repeated from
/// its folder exactly as it ran. Section and setting keys are the definitions' in <see cref="SettingCatalog"/>,
/// the ones the loader reads back.
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
        var modelNode = new YamlMappingNode { { "name", Text(resolvedModel) } };
        if (d.Model.Layers.Count > 0)
        {
            modelNode.Add(SettingCatalog.Model.Layers.Key!, new YamlSequenceNode(d.Model.Layers.Select(Text)));
        }

        if (d.Model.Pooling is { } pooling)
        {
            modelNode.Add(SettingCatalog.Model.Pooling.Key!, Text(ModelZoo.Spell(pooling)));
        }

        if (d.Model.Resize is { } resize)
        {
            modelNode.Add(SettingCatalog.Model.Resize.Key!, Text(ModelZoo.Spell(resize)));
        }

        root.Add("model", modelNode);
        root.Add(SettingCatalog.Featurize.Section.Key, new YamlMappingNode
        {
            { SettingCatalog.Featurize.BatchSize, Number(d.Featurize.BatchSize) },
            { SettingCatalog.Featurize.Parallelism, Number(d.Featurize.Parallelism) },
            { SettingCatalog.Featurize.Device, Enum(d.Featurize.Device) },
            { SettingCatalog.Featurize.Precision, Enum(d.Featurize.Precision) },
            { SettingCatalog.Featurize.CalibrationImages, Number(d.Featurize.CalibrationImages) },
            { SettingCatalog.Featurize.RowsPerPart, Number(d.Featurize.RowsPerPart) },
            { SettingCatalog.Featurize.PartSeconds, Number(d.Featurize.PartSeconds) },
            { SettingCatalog.Featurize.Arrow, Bool(d.Featurize.Arrow) },
            { SettingCatalog.Featurize.Shard, Text(d.Featurize.Shard) },
            { SettingCatalog.Featurize.ShardCount, Number(d.Featurize.ShardCount) },
        });
        root.Add(SettingCatalog.Limits.Section.Key, new YamlMappingNode
        {
            { SettingCatalog.Limits.MaxFileBytes, Number(d.Limits.MaxFileBytes) },
            { SettingCatalog.Limits.MaxPixels, Number(d.Limits.MaxPixels) },
            { SettingCatalog.Limits.MaxDecodeSeconds, Number(d.Limits.MaxDecodeTime.TotalSeconds) },
        });
        root.Add(SettingCatalog.Stream.Section.Key, new YamlMappingNode
        {
            { SettingCatalog.Stream.MaxDelaySeconds, Number(d.Stream.MaxDelaySeconds) },
            { SettingCatalog.Stream.After, Enum(d.Stream.After) },
            { SettingCatalog.Stream.SettleSeconds, Number(d.Stream.SettleSeconds) },
            { SettingCatalog.Stream.RescanSeconds, Number(d.Stream.RescanSeconds) },
            { SettingCatalog.Stream.CompactGraceSeconds, Number(d.Stream.CompactGraceSeconds) },
        });
        if (d.Split is not null)
        {
            root.Add(SettingCatalog.Split.Section.Key, new YamlMappingNode
            {
                { SettingCatalog.Split.TestFraction, Number(d.Split.TestFraction) },
                { SettingCatalog.Split.Seed, Number(d.Split.Seed) },
                { SettingCatalog.Split.Stratify, Bool(d.Split.Stratify) },
            });
        }

        root.Add(SettingCatalog.Train.Section.Key, new YamlMappingNode
        {
            { SettingCatalog.Train.MaxIter, Number(d.Train.MaxIter) },
            { SettingCatalog.Train.RegParam, Number(d.Train.RegParam) },
            { SettingCatalog.Train.ElasticNetParam, Number(d.Train.ElasticNetParam) },
            { SettingCatalog.Train.Tol, Number(d.Train.Tol) },
            { SettingCatalog.Train.Standardization, Bool(d.Train.Standardization) },
            { SettingCatalog.Train.FitIntercept, Bool(d.Train.FitIntercept) },
        });
        if (d.Grid is not null)
        {
            root.Add(SettingCatalog.Grid.Section.Key, new YamlMappingNode
            {
                { SettingCatalog.Grid.RegParam, Numbers(d.Grid.RegParam) },
                { SettingCatalog.Grid.ElasticNetParam, Numbers(d.Grid.ElasticNetParam) },
                { SettingCatalog.Grid.Standardization, new YamlSequenceNode(d.Grid.Standardization.Select(Bool)) },
                { SettingCatalog.Grid.Folds, Number(d.Grid.Folds) },
                { SettingCatalog.Grid.Metric, Enum(d.Grid.Metric) },
                { SettingCatalog.Grid.Seed, Number(d.Grid.Seed) },
            });
        }

        root.Add(SettingCatalog.Evaluate.Section.Key, new YamlMappingNode { { SettingCatalog.Evaluate.Enabled, Bool(d.Evaluate) } });
        if (d.Predict is not null)
        {
            root.Add("predict", d.Predict.Model is { } model
                ? new YamlMappingNode { { "model", Text(model) } }
                : new YamlMappingNode { { "inputs", new YamlSequenceNode(d.Predict.Inputs.Select(Text)) } });
        }

        root.Add("output", Text(d.Output));

        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var yaml = writer.ToString();

        // YamlStream ends every document with an explicit "..." marker; a pipeline file never needs it.
        return yaml.EndsWith("...\n", StringComparison.Ordinal) ? yaml[..^4] : yaml;
    }

    /// <summary>The kind's name, then its keys in the order the kind declares them.</summary>
    private static YamlMappingNode Source(SourceDefinition source)
    {
        var kind = SourceKinds.Of(source);
        var values = kind.Values(source);
        var node = new YamlMappingNode { { "kind", new YamlScalarNode(kind.Name) } };
        foreach (var field in kind.Fields)
        {
            node.Add(field.Key, Text(values[field.Key]));
        }

        return node;
    }

    /// <summary>Adds a setting under its own key, so that the collection initialisers above name definitions rather than strings.</summary>
    private static void Add(this YamlMappingNode node, Setting setting, YamlNode value) => node.Add(setting.Key!, value);

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
