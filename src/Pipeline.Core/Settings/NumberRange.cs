using System.Globalization;

namespace Pipeline.Settings;

/// <summary>The allowed values of a numeric key, with the wording used in validation messages.</summary>
internal readonly record struct NumberRange(double Min, double Max, bool MinExclusive = false, bool MaxExclusive = false)
{
    /// <summary>0 or more.</summary>
    public static NumberRange NonNegative => new(0, double.MaxValue);

    /// <summary>Whether <paramref name="value"/> is allowed.</summary>
    public bool Contains(double value) =>
        (MinExclusive ? value > Min : value >= Min) && (MaxExclusive ? value < Max : value <= Max);

    /// <summary>"from 1 to 4096", "greater than 0 and less than 1", "0 or more".</summary>
    public override string ToString()
    {
        var min = Format(Min);
        var max = Format(Max);
        if (Max == double.MaxValue || Max == int.MaxValue || Max == long.MaxValue)
        {
            return MinExclusive ? $"greater than {min}" : $"{min} or more";
        }

        if (!MinExclusive && !MaxExclusive)
        {
            return $"from {min} to {max}";
        }

        var lower = MinExclusive ? $"greater than {min}" : $"at least {min}";
        var upper = MaxExclusive ? $"less than {max}" : $"at most {max}";
        return $"{lower} and {upper}";
    }

    private static string Format(double value) => value.ToString("G", CultureInfo.InvariantCulture);
}
