using System.Text.Json;
using Pipeline.Models;

namespace Pipeline.Tests.Inference;

/// <summary>
/// The tiny torchvision-shaped classifier written by scripts/make_test_models.py and the values
/// torch computed for its fixed input.
/// </summary>
internal sealed record TinyClassifierFixture(
    string InputName, int InputSize, string FeatureNode, int[] FeatureShape,
    float[] Input, float[] GlobalAverage, float[] Flatten, float[] Logits)
{
    private static readonly JsonSerializerOptions CamelCase = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Inference");

    public static string DynamicBatchModel => Path.Combine(Directory, "tiny_classifier.onnx");

    public static string FixedBatchModel => Path.Combine(Directory, "tiny_classifier_batch1.onnx");

    public int Images => Input.Length / ImageLength;

    public int ImageLength => 3 * InputSize * InputSize;

    public static TinyClassifierFixture Load() =>
        JsonSerializer.Deserialize<TinyClassifierFixture>(
            File.ReadAllText(Path.Combine(Directory, "tiny_classifier_expected.json")),
            CamelCase)!;

    public ModelSpec Spec(FeaturePooling pooling) =>
        new("tiny", "tiny_classifier.onnx", false, InputName, InputSize, TensorLayout.Nchw, ChannelOrder.Rgb, Normalization.Torch,
            null, ResizeRule.Stretch, FeatureNode, FeatureShape, pooling, "scripts/make_test_models.py");
}
