using System.Diagnostics;
using Parquet;

namespace Pipeline.FeatureStore;

/// <summary>
/// One row group's column buffers, allocated once per writer and refilled: rows are copied in
/// column-wise, so a row costs no allocation (paths and labels are referenced, not copied), and
/// Parquet.Net and Arrow both write straight from these arrays.
/// </summary>
internal sealed class FeatureRowGroup
{
    private readonly ReadOnlyMemory<char>[] _paths;
    private readonly ReadOnlyMemory<char>[] _labels;
    private readonly int[] _labelIndices;
    private readonly int[] _widths;
    private readonly int[] _heights;
    private readonly long[] _fileBytes;
    private readonly long[] _fileModified;
    private readonly float[] _features;

    /// <summary>
    /// Every row is a full list of <see cref="Dimension"/> present elements, so the Dremel levels
    /// never change: repetition 0 opens a row and 1 continues it, definition is always the maximum.
    /// They are filled once here and sliced per group.
    /// </summary>
    private readonly int[] _repetitionLevels;
    private readonly int[] _definitionLevels;

    private readonly ArrayByteMemory<int> _labelIndexBytes;
    private readonly ArrayByteMemory<int> _widthBytes;
    private readonly ArrayByteMemory<int> _heightBytes;
    private readonly ArrayByteMemory<long> _fileBytesBytes;
    private readonly ArrayByteMemory<long> _fileModifiedBytes;
    private readonly ArrayByteMemory<float> _featureBytes;

    public FeatureRowGroup(int capacity, int dimension)
    {
        Debug.Assert(capacity > 0 && dimension > 0);
        Capacity = capacity;
        Dimension = dimension;
        var values = checked(capacity * dimension);
        _paths = new ReadOnlyMemory<char>[capacity];
        _labels = new ReadOnlyMemory<char>[capacity];
        _labelIndices = new int[capacity];
        _widths = new int[capacity];
        _heights = new int[capacity];
        _fileBytes = new long[capacity];
        _fileModified = new long[capacity];
        _features = new float[values];
        _repetitionLevels = new int[values];
        _definitionLevels = new int[values];
        _repetitionLevels.AsSpan().Fill(1);
        for (var i = 0; i < values; i += dimension)
        {
            _repetitionLevels[i] = 0;
        }

        _definitionLevels.AsSpan().Fill(FeatureStoreSchema.FeatureDefinitionLevel);
        _labelIndexBytes = new ArrayByteMemory<int>(_labelIndices);
        _widthBytes = new ArrayByteMemory<int>(_widths);
        _heightBytes = new ArrayByteMemory<int>(_heights);
        _fileBytesBytes = new ArrayByteMemory<long>(_fileBytes);
        _fileModifiedBytes = new ArrayByteMemory<long>(_fileModified);
        _featureBytes = new ArrayByteMemory<float>(_features);
    }

    public int Capacity { get; }

    public int Dimension { get; }

    public int Count { get; private set; }

    public bool IsFull => Count == Capacity;

    public ReadOnlySpan<ReadOnlyMemory<char>> Paths => _paths.AsSpan(0, Count);

    public ReadOnlySpan<ReadOnlyMemory<char>> Labels => _labels.AsSpan(0, Count);

    public ReadOnlyMemory<byte> LabelIndexBytes => _labelIndexBytes.Memory[..(Count * sizeof(int))];

    public ReadOnlyMemory<byte> WidthBytes => _widthBytes.Memory[..(Count * sizeof(int))];

    public ReadOnlyMemory<byte> HeightBytes => _heightBytes.Memory[..(Count * sizeof(int))];

    public ReadOnlyMemory<byte> FileBytesBytes => _fileBytesBytes.Memory[..(Count * sizeof(long))];

    public ReadOnlyMemory<byte> FileModifiedBytes => _fileModifiedBytes.Memory[..(Count * sizeof(long))];

    public ReadOnlyMemory<byte> FeatureBytes => _featureBytes.Memory[..(Count * Dimension * sizeof(float))];

    /// <summary>Copies the rows in; the caller keeps their number within <see cref="Capacity"/>.</summary>
    public void Append(ReadOnlySpan<FeatureRecord> records, ReadOnlySpan<float> features)
    {
        Debug.Assert(Count + records.Length <= Capacity);
        Debug.Assert(features.Length == records.Length * Dimension);
        for (var i = 0; i < records.Length; i++)
        {
            ref readonly var record = ref records[i];
            var row = Count + i;
            _paths[row] = record.Path.AsMemory();
            _labels[row] = record.Label.AsMemory();
            _labelIndices[row] = record.LabelIndex;
            _widths[row] = record.Width;
            _heights[row] = record.Height;
            _fileBytes[row] = record.FileBytes;
            _fileModified[row] = record.FileModifiedUnixMs;
        }

        features.CopyTo(_features.AsSpan(Count * Dimension));
        Count += records.Length;
    }

    /// <summary>Writes the buffered rows as one row group, in schema column order.</summary>
    public async Task WriteToAsync(ParquetWriter writer, CancellationToken ct)
    {
        Debug.Assert(Count > 0);
        var n = Count;
        var values = n * Dimension;
        using var group = writer.CreateRowGroup();
        await group.WriteAsync<ReadOnlyMemory<char>>(FeatureStoreSchema.Path, _paths.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        await group.WriteAsync<ReadOnlyMemory<char>>(FeatureStoreSchema.Label, _labels.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        await group.WriteAsync<int>(FeatureStoreSchema.LabelIndex, _labelIndices.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);

        // WriteAllPartsAsync with explicit levels is the no-copy path for a LIST column; the plain
        // WriteAsync overload throws "Definition levels are not ready yet" for list elements.
        await group.WriteAllPartsAsync<float>(
            FeatureStoreSchema.FeatureElement,
            _features.AsMemory(0, values),
            _definitionLevels.AsMemory(0, values),
            _repetitionLevels.AsMemory(0, values),
            ct).ConfigureAwait(false);
        await group.WriteAsync<int>(FeatureStoreSchema.Width, _widths.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        await group.WriteAsync<int>(FeatureStoreSchema.Height, _heights.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        await group.WriteAsync<long>(FeatureStoreSchema.FileBytes, _fileBytes.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        await group.WriteAsync<long>(FeatureStoreSchema.FileModifiedUnixMs, _fileModified.AsMemory(0, n), cancellationToken: ct).ConfigureAwait(false);
        group.CompleteValidate();
    }

    /// <summary>Forgets the rows; the path and label strings stay referenced until overwritten, at most one group of them.</summary>
    public void Clear() => Count = 0;
}
