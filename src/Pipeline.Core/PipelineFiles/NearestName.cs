namespace Pipeline.PipelineFiles;

/// <summary>
/// "Did you mean …?" for misspelt keys and enum values: the known name with the smallest
/// case-insensitive edit distance, if it is close enough to be a plausible typo.
/// </summary>
internal static class NearestName
{
    /// <summary>The closest candidate, or null when none is within a typo's reach of <paramref name="name"/>.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        var lower = name.ToLowerInvariant();
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(lower, candidate.ToLowerInvariant());
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

    /// <summary>
    /// Optimal-string-alignment distance: Levenshtein (insert, delete, substitute cost 1) plus adjacent
    /// transposition at cost 1, since swapped letters ("cdua") are the commonest typo in a key.
    /// </summary>
    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(d[i - 1, j - 1] + cost, Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }
}
