using System.CommandLine;
using Pipeline.Inference;
using Pipeline.Models;

namespace Pipeline.Cli;

/// <summary>Options that several commands share, defined once so their names and defaults agree.</summary>
internal static class CommonOptions
{
    public static Option<string> Model() => new("--model", "-m")
    {
        Description = "Zoo model (see `pipeline models`).",
        DefaultValueFactory = _ => "resnet18",
    };

    public static Option<string> ModelsDirectory() => new("--models-dir")
    {
        Description = "Folder that holds the zoo's .onnx files.",
        DefaultValueFactory = _ => "models",
    };

    public static Option<InferenceDevice> Device() => new("--device")
    {
        Description = "auto tries CUDA and falls back to CPU; cuda fails when CUDA is unusable.",
        DefaultValueFactory = _ => InferenceDevice.Auto,
    };

    public static Option<int> BatchSize() => new("--batch-size")
    {
        Description = "Images per inference batch.",
        DefaultValueFactory = _ => InferenceOptions.DefaultBatchSize,
    };

    public static Option<int> Parallelism() => new("--parallelism")
    {
        Description = "Images decoded at once.",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<FeaturePooling?> Pooling() => new("--pooling")
    {
        Description = "How a spatial feature map becomes a vector: GlobalAverage (the zoo's default) or None (flatten, Spark's 131,072 values for InceptionV3).",
    };
}
