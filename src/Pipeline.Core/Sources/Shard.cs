using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace Pipeline.Sources;

/// <summary>
/// One of <see cref="Count"/> disjoint shares of a source: image k belongs to shard
/// <c>XxHash64(key) mod Count</c>, where the key names the image relative to its source
/// (<see cref="IShardKeyedSource"/>), so every process, on any machine and under any mount point,
/// puts each image in the same one shard without talking to the others. XxHash64 (seed 0) of the
/// key's UTF-8 bytes, not <see cref="string.GetHashCode()"/>, which .NET randomises per process.
/// </summary>
internal sealed record Shard
{
    /// <summary>The most shards of one source: Kubernetes caps an Indexed Job's completions at 100,000.</summary>
    public const int MaxCount = 100_000;

    public Shard(int index, int count)
    {
        if (count is < 1 or > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, string.Create(CultureInfo.InvariantCulture, $"a shard count must be from 1 to {MaxCount}, got {count}."));
        }

        if (index < 0 || index >= count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, string.Create(CultureInfo.InvariantCulture, $"shard {index} of {count} does not exist: the index must be from 0 to {count - 1}."));
        }

        Index = index;
        Count = count;
    }

    /// <summary>This shard's number, from 0.</summary>
    public int Index { get; }

    /// <summary>How many shards the source is cut into.</summary>
    public int Count { get; }

    /// <summary>The shard in file names: <c>shard-2-of-4</c>.</summary>
    public string Name => string.Create(CultureInfo.InvariantCulture, $"shard-{Index}-of-{Count}");

    /// <summary>The shard of <paramref name="key"/> among <paramref name="count"/>.</summary>
    public static int Of(string key, int count)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (int)(XxHash64.HashToUInt64(Encoding.UTF8.GetBytes(key)) % (ulong)count);
    }

    /// <summary>Whether the image keyed <paramref name="key"/> is this shard's.</summary>
    public bool Contains(string key) => Of(key, Count) == Index;

    /// <summary>
    /// <c>i/N</c> as written on the command line or in a pipeline file.
    /// </summary>
    /// <exception cref="FormatException">Not two whole numbers around a slash, or an index outside 0…N-1; the message quotes the text.</exception>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            throw new FormatException($"'{text}' is not a shard: write i/N (shard i of N, i from 0 to N-1), e.g. 0/4, or auto.");
        }

        if (count is < 1 or > MaxCount || index >= count)
        {
            throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"'{text}' is not a shard: N must be from 1 to {MaxCount} and i from 0 to N-1."));
        }

        return new Shard(index, count);
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
