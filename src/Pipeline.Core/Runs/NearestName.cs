namespace Pipeline.Runs;

/// <summary>
/// "Did you mean …?" for misspelt keys and enum values: the known name with the smallest
/// case-insensitive Levenshtein distance, if it is close enough to be a plausible typo.
/// </summary>
internal static class NearestName
{
    /// <summary>The closest candidate, or null when none is within a typo's reach of <paramref name="name"/>.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Two edits, or a third of the word for long keys, catches transpositions and dropped letters
        // ("regParm", "elasticNetParm") without suggesting unrelated keys for short garbage.
        var reach = Math.Max(2, name.Length / 3);
        return bestDistance <= reach ? best : null;
    }

    /// <summary>Levenshtein distance (insert, delete, substitute each cost 1), two-row dynamic programme.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
