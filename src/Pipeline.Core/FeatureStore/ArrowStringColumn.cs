using System.Text;
using Apache.Arrow;

namespace Pipeline.FeatureStore;

/// <summary>
/// Encodes one string column of successive Arrow record batches into offset and UTF-8 buffers that
/// are allocated once and reused, instead of a <see cref="StringArray.Builder"/> per batch. The
/// returned array wraps those buffers, so it is valid until the next <see cref="Encode"/>.
/// </summary>
internal sealed class ArrowStringColumn
{
    private readonly int[] _offsets;
    private readonly ArrayByteMemory<int> _offsetBytes;
    private byte[] _utf8 = new byte[64 * 1024];

    public ArrowStringColumn(int maxRows)
    {
        _offsets = new int[maxRows + 1];
        _offsetBytes = new ArrayByteMemory<int>(_offsets);
    }

    public StringArray Encode(ReadOnlySpan<ReadOnlyMemory<char>> values)
    {
        var length = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var chars = values[i].Span;
            var needed = length + Encoding.UTF8.GetMaxByteCount(chars.Length);
            if (needed > _utf8.Length)
            {
                System.Array.Resize(ref _utf8, Math.Max(needed, _utf8.Length * 2));
            }

            _offsets[i] = length;
            length += Encoding.UTF8.GetBytes(chars, _utf8.AsSpan(length));
        }

        _offsets[values.Length] = length;
        return new StringArray(
            values.Length,
            new ArrowBuffer(_offsetBytes.Memory[..((values.Length + 1) * sizeof(int))]),
            new ArrowBuffer(_utf8.AsMemory(0, length)),
            ArrowBuffer.Empty);
    }
}
