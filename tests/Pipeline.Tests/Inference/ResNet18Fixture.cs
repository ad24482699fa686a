using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Preprocessing;
using Pipeline.Tests.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Inference;

/// <summary>
/// The bundled ResNet18, one CPU extractor (batch 4) shared by the tests of a class, and three
/// preprocessed 224x224 images (a gradient, a checkerboard, seeded noise).
/// </summary>
public sealed class ResNet18Fixture : IDisposable
{
    public ResNet18Fixture()
    {
        Model = ShippedZoo.ResNet18();
        Preprocessor = new TensorPreprocessor(Model.Spec, Model.MeanImagePath);
        Extractor = new FeatureExtractor(Model.Spec, Model.OnnxPath, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 4 });
        Images = Enumerable.Range(0, 3).Select(Tensor).ToArray();
    }

    public ResolvedModel Model { get; }

    internal TensorPreprocessor Preprocessor { get; }

    internal FeatureExtractor Extractor { get; }

    /// <summary>Preprocessed tensors, one per image.</summary>
    public float[][] Images { get; }

    private float[] Tensor(int kind)
    {
        var random = new Random(42 + kind);
        using var image = new Image<Rgb24>(224, 224);
        for (var y = 0; y < 224; y++)
        {
            for (var x = 0; x < 224; x++)
            {
                image[x, y] = kind switch
                {
                    0 => new Rgb24((byte)x, (byte)y, (byte)(x + y)),
                    1 => ((x / 28) + (y / 28)) % 2 == 0 ? new Rgb24(250, 240, 10) : new Rgb24(5, 30, 200),
                    _ => new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256)),
                };
            }
        }

        var tensor = new float[Preprocessor.ImageLength];
        Preprocessor.Write(image, tensor);
        return tensor;
    }

    public void Dispose() => Extractor.Dispose();
}
