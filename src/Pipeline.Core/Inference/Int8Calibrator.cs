using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Pipeline.Models;

namespace Pipeline.Inference;

/// <summary>
/// Calibrates and quantizes a zoo model's featurizer to int8 (see <see cref="OnnxQuantizer"/>):
/// the caller writes preprocessed sample images into <see cref="Slot"/>s and calls
/// <see cref="Observe"/> per batch; <see cref="Quantize"/> then gives the QDQ featurizer.
/// </summary>
/// <remarks>
/// <para>
/// The float graph is first run through ONNX Runtime's basic optimizations and saved, which folds
/// each BatchNormalization into its Conv with standard ops only: the int8 weights are then the
/// folded ones, as the integer kernel will use them, and no float BN sits between a Conv and its Q.
/// </para>
/// <para>
/// Ranges are MinMax: the smallest and largest value each activation takes over the sample. The
/// sample is the run's own images, so the ranges fit the data being featurized; with ReLU nets
/// (the Relu folded, zero point 0) the tensors are nonnegative and their maxima grow slowly with
/// the sample, and MinMax on 200 images met the cosine target (0.999 on the digits with the stem
/// left float, see <see cref="OnnxQuantizer.FindOps"/> and bench/README.md), so the histogram
/// passes of percentile or entropy calibration were not needed. A different method would change
/// <see cref="Method"/>, which is part of the cache key.
/// </para>
/// </remarks>
internal sealed class Int8Calibrator : IDisposable
{
    /// <summary>Names the quantization scheme in the cache key: a change here must not reuse old files.</summary>
    public const string Method = "qdq-u8s8-perchannel-minmax-floatstem-v2";

    private readonly ModelProto _prepared;
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly string _inputName;
    private readonly string[] _tensors;
    private readonly float[] _input;
    private readonly long[] _imageShape;
    private readonly Dictionary<string, (float Min, float Max)> _ranges = new(StringComparer.Ordinal);

    /// <summary>Prepares the featurizer of <paramref name="onnxPath"/> and a session that returns every tensor to calibrate.</summary>
    /// <exception cref="ModelZooException">The file is not an ONNX model or does not match the spec.</exception>
    public Int8Calibrator(ModelSpec spec, string onnxPath, int batchSize, int intraOpThreads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        BatchSize = batchSize;
        ImageLength = spec.ImageLength;
        _inputName = spec.InputName;
        _imageShape = spec.Layout == TensorLayout.Nchw ? [batchSize, 3, spec.InputSize, spec.InputSize] : [batchSize, spec.InputSize, spec.InputSize, 3];
        var model = OnnxModelFile.Parse(File.ReadAllBytes(onnxPath), onnxPath);
        OnnxGraphEditor.ToFeaturizer(model, spec, onnxPath);
        _prepared = OptimizeBasic(model.ToByteArray(), onnxPath);
        OnnxQuantizer.PrepareOpset(_prepared);
        _tensors = [.. OnnxQuantizer.CalibratedTensors(OnnxQuantizer.FindOps(_prepared.Graph))];
        if (_tensors.Length == 0)
        {
            throw new ModelZooException($"'{onnxPath}' has no Conv, Gemm or MatMul with constant weights before '{spec.FeatureNode}'; there is nothing to quantize.");
        }

        var calibration = _prepared.Clone();
        var outputs = calibration.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        calibration.Graph.Output.Add(_tensors.Where(t => !outputs.Contains(t)).Select(t => new ValueInfoProto { Name = t }));
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = intraOpThreads };
        _session = new InferenceSession(calibration.ToByteArray(), options);
        _input = new float[checked(batchSize * ImageLength)];
    }

    /// <summary>Images per <see cref="Observe"/>.</summary>
    public int BatchSize { get; }

    /// <summary>Floats per preprocessed image.</summary>
    public int ImageLength { get; }

    /// <summary>Images observed so far.</summary>
    public int Observed { get; private set; }

    /// <summary>The cache key of a quantized featurizer: the file, the scheme, and the calibration sample, one identity line per image.</summary>
    public static string CacheKey(string modelSha256, string preprocessing, string featureNode, IEnumerable<string> sampleIdentities)
    {
        var text = new StringBuilder().Append(Method).Append('\n').Append(modelSha256).Append('\n').Append(featureNode).Append('\n').Append(preprocessing).Append('\n');
        foreach (var identity in sampleIdentities)
        {
            text.Append(identity).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>The input region of sample image <paramref name="index"/> of the next batch.</summary>
    public Span<float> Slot(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, BatchSize);
        return _input.AsSpan(index * ImageLength, ImageLength);
    }

    /// <summary>Runs slots 0..<paramref name="count"/>−1 and widens every tensor's range by what they produced.</summary>
    public void Observe(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BatchSize);
        if (count == 0)
        {
            return;
        }

        var shape = (long[])_imageShape.Clone();
        shape[0] = count;
        using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, count * ImageLength), shape);
        using var results = _session.Run(_runOptions, [_inputName], [input], _tensors);
        for (var t = 0; t < _tensors.Length; t++)
        {
            var values = results[t].GetTensorDataAsSpan<float>();
            var (min, max) = _ranges.TryGetValue(_tensors[t], out var range) ? range : (float.PositiveInfinity, float.NegativeInfinity);
            foreach (var v in values)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }

            _ranges[_tensors[t]] = (min, max);
        }

        Observed += count;
    }

    /// <summary>The quantized featurizer, serialised.</summary>
    /// <exception cref="InvalidOperationException">No image was observed.</exception>
    public byte[] Quantize()
    {
        if (Observed == 0)
        {
            throw new InvalidOperationException("int8 calibration needs at least one decodable image, and the sample had none.");
        }

        var model = _prepared.Clone();
        OnnxQuantizer.Quantize(model, _ranges);
        return model.ToByteArray();
    }

    public void Dispose()
    {
        _session.Dispose();
        _runOptions.Dispose();
    }

    /// <summary>The graph after ONNX Runtime's basic (standard-op) optimizations: constant folding, BatchNormalization folded into Conv.</summary>
    private static ModelProto OptimizeBasic(byte[] featurizer, string onnxPath)
    {
        var optimized = Path.Combine(Path.GetTempPath(), $"pipeline-int8-{Environment.ProcessId}-{Guid.NewGuid():N}.onnx");
        try
        {
            using (var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC, OptimizedModelFilePath = optimized })
            using (new InferenceSession(featurizer, options))
            {
            }

            return OnnxModelFile.Parse(File.ReadAllBytes(optimized), onnxPath);
        }
        finally
        {
            File.Delete(optimized);
        }
    }
}
