using Microsoft.ML.OnnxRuntime;

namespace Pipeline.Inference;

/// <summary>
/// One batch's input and output buffers, owned by a <see cref="FeatureExtractor"/>. The packing
/// stage fills <see cref="Slot"/>s, the extractor runs <see cref="Count"/> images, readers take
/// <see cref="Features"/>; the buffers and their OrtValues are reused for every batch, so a
/// steady stream of batches allocates nothing.
/// </summary>
/// <remarks>
/// A short batch (the last one, or a flush) runs exactly <see cref="Count"/> images through
/// OrtValues over the first Count slots, created the first time that count occurs and then cached:
/// no compute is wasted on padding and the common full batch has its values pre-created.
/// </remarks>
internal sealed class InferenceBatch : IDisposable
{
    private readonly float[] _input;
    private readonly float[] _output;
    private readonly long[] _imageShape;
    private readonly OrtValue[]?[] _inputValues;
    private readonly OrtValue[]?[] _outputValues;
    private int _count;
    private bool _disposed;

    internal InferenceBatch(FeatureExtractor owner, int capacity, int imageLength, int featureDimension, long[] imageShape)
    {
        Owner = owner;
        Capacity = capacity;
        ImageLength = imageLength;
        FeatureDimension = featureDimension;
        _imageShape = imageShape;
        _input = new float[checked(capacity * imageLength)];
        _output = new float[checked(capacity * featureDimension)];
        _inputValues = new OrtValue[]?[capacity + 1];
        _outputValues = new OrtValue[]?[capacity + 1];
        CreateValues(capacity);
    }

    internal FeatureExtractor Owner { get; }

    /// <summary>This batch's own, so that concurrent Runs on different batches can each be aborted alone.</summary>
    internal RunOptions RunOptions { get; } = new();

    /// <summary>Most images the batch holds (the extractor's batch size).</summary>
    public int Capacity { get; }

    /// <summary>Floats per image slot.</summary>
    public int ImageLength { get; }

    /// <summary>Floats per feature vector.</summary>
    public int FeatureDimension { get; }

    /// <summary>Images filled, 0..<see cref="Capacity"/>; the next Run processes slots 0..Count−1.</summary>
    public int Count
    {
        get => _count;
        set => _count = value >= 0 && value <= Capacity ? value : throw new ArgumentOutOfRangeException(nameof(Count), value, $"Count must be in 0..{Capacity}.");
    }

    /// <summary>The input region of image <paramref name="index"/>; write it with <c>TensorPreprocessor.Write</c>.</summary>
    public Span<float> Slot(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Capacity);
        return _input.AsSpan(index * ImageLength, ImageLength);
    }

    /// <summary>Features of image <paramref name="index"/> from the last Run.</summary>
    public ReadOnlySpan<float> Features(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return _output.AsSpan(index * FeatureDimension, FeatureDimension);
    }

    /// <summary>All features of the last Run, row-major Count × FeatureDimension.</summary>
    public ReadOnlyMemory<float> AllFeatures => _output.AsMemory(0, Count * FeatureDimension);

    /// <summary>The OrtValues over slots 0..Count−1, created the first time that count runs.</summary>
    internal (OrtValue[] Inputs, OrtValue[] Outputs) Values()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_inputValues[_count] is null)
        {
            CreateValues(_count);
        }

        return (_inputValues[_count]!, _outputValues[_count]!);
    }

    private void CreateValues(int count)
    {
        var shape = (long[])_imageShape.Clone();
        shape[0] = count;
        // CreateTensorValueFromMemory pins the arrays until the OrtValue is disposed: ORT reads and
        // writes the managed buffers in place, no copies.
        _inputValues[count] = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, count * ImageLength), shape)];
        _outputValues[count] = [OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _output.AsMemory(0, count * FeatureDimension), [count, FeatureDimension])];
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        RunOptions.Dispose();
        foreach (var values in _inputValues.Concat(_outputValues))
        {
            values?[0].Dispose();
        }
    }
}
