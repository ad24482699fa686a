using System.CommandLine;
using Microsoft.Extensions.Logging;
using Pipeline.Settings;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Cli;

/// <summary>Options that several commands share; those that are settings come from their definitions in <see cref="SettingCatalog"/>.</summary>
internal static class CommonOptions
{
    public static Option<string> Model()
    {
        var option = new Option<string>("--model", "-m")
        {
            Description = "Zoo model (see `pipeline models`).",
            DefaultValueFactory = _ => "resnet18",
        };
        option.Validators.Add(result =>
        {
            var name = result.GetValueOrDefault<string>();
            if (result.Implicit || name is null)
            {
                return;
            }

            // A zoo that cannot be read is a fatal error of the command, reported when it loads the model.
            ModelZoo zoo;
            try
            {
                zoo = ModelZoo.LoadDefault();
            }
            catch (ModelZooException)
            {
                return;
            }

            if (!zoo.Models.Any(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                result.AddError($"{OptionValidation.Typed(result)} '{name}' is not in the zoo; {zoo.SourcePath} knows: {string.Join(", ", zoo.Models.Select(m => m.Name))}");
            }
        });
        return option;
    }

    public static Option<string> ModelsDirectory() => SettingOptions.Folder(SettingCatalog.Service.ModelsDirectory);

    public static Option<InferenceDevice> Device() => SettingOptions.Choice<InferenceDevice>(SettingCatalog.Featurize.Device);

    public static Option<int> BatchSize() => SettingOptions.Number(SettingCatalog.Featurize.BatchSize);

    public static Option<int> Parallelism() => SettingOptions.Number(SettingCatalog.Featurize.Parallelism);

    /// <summary><c>--shard none|i/N|auto</c>; i/N is checked when the line is parsed, auto when the command runs (it reads the environment).</summary>
    public static Option<string> Shard()
    {
        var setting = SettingCatalog.Featurize.Shard;
        var option = new Option<string>(SettingOptions.Name(setting))
        {
            Description = setting.Description,
            DefaultValueFactory = _ => setting.Default,
        };
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>()?.Trim();
            if (result.Implicit || text is null
                || string.Equals(text, ShardSelection.None, StringComparison.OrdinalIgnoreCase)
                || string.Equals(text, ShardSelection.Auto, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            try
            {
                Sources.Shard.Parse(text);
            }
            catch (FormatException e)
            {
                result.AddError($"{OptionValidation.Typed(result)}: {e.Message}");
            }
        });
        return option;
    }

    public static Option<int> ShardCount() => SettingOptions.Number(SettingCatalog.Featurize.ShardCount);

    /// <summary>The shard the two options name, read from the environment for auto, and logged with where it came from.</summary>
    /// <exception cref="FormatException">auto without the variables it needs, or out of range; one sentence.</exception>
    public static Shard? ResolveShard(ParseResult parse, Option<string> shard, Option<int> count, ILogger logger)
    {
        var resolved = ShardSelection.Resolve(parse.GetValue(shard)!, parse.GetValue(count), Environment.GetEnvironmentVariable, out var how);
        if (resolved is not null)
        {
            logger.LogInformation("Sharding: {How}", how);
        }

        return resolved;
    }

    /// <summary><c>--resize stretch|pad|center-crop</c>, checked when the line is parsed; empty (the default) keeps the zoo entry's rule.</summary>
    public static Option<string> Resize()
    {
        var option = SettingOptions.Text(SettingCatalog.Model.Resize);
        option.Validators.Add(result =>
        {
            var text = result.GetValueOrDefault<string>();
            if (!result.Implicit && !string.IsNullOrEmpty(text) && !ModelZoo.TryParseResize(text, out _))
            {
                result.AddError($"{OptionValidation.Typed(result)} '{text}' is not a resize policy; allowed: {string.Join(", ", ModelZoo.ResizeNames)}");
            }
        });
        return option;
    }

    /// <summary>A value <see cref="Resize"/> has validated.</summary>
    public static ResizeMode ParseResize(string text) =>
        ModelZoo.TryParseResize(text, out var mode) ? mode : throw new FormatException($"'{text}' is not a resize policy.");

    public static Option<FeaturePooling?> Pooling() => new("--pooling")
    {
        Description = "How a spatial feature map becomes a vector: GlobalAverage (the zoo's default), None (flatten, Spark's 131,072 values for InceptionV3) or SpatialPyramid (global average and a 2x2 grid: 5 values per channel; NCHW maps of at least 2x2, e.g. resnet18's --layers).",
    };
}
