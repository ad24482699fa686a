using System.Buffers;
using System.Runtime.InteropServices;

namespace Pipeline.FeatureStore;

/// <summary>
/// The bytes of a pre-allocated <typeparamref name="T"/>[] as <see cref="Memory{T}"/> of bytes, so
/// that Arrow buffers can wrap the same arrays Parquet.Net writes from without copying them.
/// </summary>
internal sealed class ArrayByteMemory<T> : MemoryManager<byte>
    where T : unmanaged
{
    private readonly T[] _array;

    public ArrayByteMemory(T[] array) => _array = array;

    public override Span<byte> GetSpan() => MemoryMarshal.AsBytes(_array.AsSpan());

    public override unsafe MemoryHandle Pin(int elementIndex = 0)
    {
        var handle = GCHandle.Alloc(_array, GCHandleType.Pinned);
        return new MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle, this);
    }

    public override void Unpin()
    {
        // The GCHandle travels in the MemoryHandle and is freed when that handle is disposed.
    }

    protected override void Dispose(bool disposing)
    {
        // Nothing to release: the array belongs to the caller.
    }
}
