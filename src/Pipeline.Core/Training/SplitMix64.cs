namespace Pipeline.Training;

/// <summary>
/// Steele, Lea &amp; Flood's SplitMix64 generator: a fixed, documented sequence for a seed, so
/// splits and folds are identical on every machine and runtime version (unlike relying on
/// <see cref="Random"/>'s unspecified algorithm).
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed)
    {
        _state = seed;
    }

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="bound"/>) by Lemire's multiply-shift with rejection, so without modulo bias.</summary>
    public int NextInt(int bound)
    {
        var range = (ulong)bound;
        var threshold = (0UL - range) % range;
        while (true)
        {
            var product = Math.BigMul(Next(), range, out var low);
            if (low >= threshold)
            {
                return (int)product;
            }
        }
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
