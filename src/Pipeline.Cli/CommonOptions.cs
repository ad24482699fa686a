using System.CommandLine;
using Pipeline.Settings;
using Pipeline.Inference;
using Pipeline.Models;

namespace Pipeline.Cli;

/// <summary>Options that several commands share, defined once so their names, defaults and allowed values agree.</summary>
internal static class CommonOptions
{
    /// <summary>The range of <see cref="InferenceOptions.BatchSize"/>.</summary>
    private static readonly NumberRange BatchSizes = new(1, 4096);

    /// <summary>The range of <see cref="Featurization.FeaturizationOptions.Parallelism"/>.</summary>
    private static readonly NumberRange Parallelisms = new(1, 256);

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

    public static Option<string> ModelsDirectory() => new Option<string>("--models-dir")
    {
        Description = "Folder that holds the zoo's .onnx files.",
        DefaultValueFactory = _ => "models",
    }.NotEmpty();

    public static Option<InferenceDevice> Device() => new("--device")
    {
        Description = "auto tries CUDA and falls back to CPU; cuda fails when CUDA is unusable.",
        DefaultValueFactory = _ => InferenceDevice.Auto,
    };

    public static Option<int> BatchSize() => new Option<int>("--batch-size")
    {
        Description = $"Images per inference batch, {BatchSizes}.",
        DefaultValueFactory = _ => InferenceOptions.DefaultBatchSize,
    }.InRange(BatchSizes);

    public static Option<int> Parallelism() => new Option<int>("--parallelism")
    {
        Description = $"Images decoded at once, {Parallelisms} (default: the number of cores).",
        DefaultValueFactory = _ => Math.Min(Environment.ProcessorCount, (int)Parallelisms.Max),
    }.InRange(Parallelisms);

    public static Option<FeaturePooling?> Pooling() => new("--pooling")
    {
        Description = "How a spatial feature map becomes a vector: GlobalAverage (the zoo's default) or None (flatten, Spark's 131,072 values for InceptionV3).",
    };
}
