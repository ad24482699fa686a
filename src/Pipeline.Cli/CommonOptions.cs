using System.CommandLine;
using Pipeline.Settings;
using Pipeline.Inference;
using Pipeline.Models;

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

    public static Option<FeaturePooling?> Pooling() => new("--pooling")
    {
        Description = "How a spatial feature map becomes a vector: GlobalAverage (the zoo's default), None (flatten, Spark's 131,072 values for InceptionV3) or SpatialPyramid (global average and a 2x2 grid: 5 values per channel; NCHW maps of at least 2x2, e.g. resnet18's --layers).",
    };
}
