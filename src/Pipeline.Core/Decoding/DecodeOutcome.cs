using System.Diagnostics.CodeAnalysis;

namespace Pipeline.Decoding;

/// <summary>
/// What decoding one image produced: exactly one of a <see cref="DecodedImage"/> (owned by the
/// receiver, who disposes it) or a <see cref="Decoding.Reject"/>. A struct so that the
/// per-image result costs no allocation; only <c>default</c> holds neither, and no decoder returns it.
/// </summary>
internal readonly struct DecodeOutcome
{
    private DecodeOutcome(DecodedImage? image, Reject? reject)
    {
        Image = image;
        Reject = reject;
    }

    public DecodedImage? Image { get; }

    public Reject? Reject { get; }

    [MemberNotNullWhen(true, nameof(Image))]
    [MemberNotNullWhen(false, nameof(Reject))]
    public bool IsDecoded => Image is not null;

    public static DecodeOutcome Decoded(DecodedImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return new DecodeOutcome(image, null);
    }

    public static DecodeOutcome Rejected(Reject reject)
    {
        ArgumentNullException.ThrowIfNull(reject);
        return new DecodeOutcome(null, reject);
    }
}
