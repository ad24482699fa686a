namespace Pipeline.Training;

/// <summary>Seeded random train/test partition of a <see cref="TrainingSet"/>.</summary>
internal static class TrainTestSplit
{
    /// <summary>
    /// Sends round(<paramref name="testFraction"/>·n) rows to the test side (per class when
    /// <paramref name="stratified"/>, so each class keeps its proportion up to rounding). The same
    /// seed gives the same split on every machine.
    /// </summary>
    public static DataSplit Split(TrainingSet data, double testFraction, ulong seed, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!(testFraction > 0 && testFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "testFraction must be in (0, 1).");
        }

        var random = new SplitMix64(seed);
        var train = new List<int>(data.Count);
        var test = new List<int>(data.Count);
        foreach (var group in Groups(data, stratified))
        {
            random.Shuffle(group);
            var testCount = (int)Math.Round(testFraction * group.Length, MidpointRounding.AwayFromZero);
            test.AddRange(group[..testCount]);
            train.AddRange(group[testCount..]);
        }

        train.Sort();
        test.Sort();
        return new DataSplit([.. train], [.. test]);
    }

    /// <summary>All rows as one group, or one group per class, each in ascending row order.</summary>
    internal static IEnumerable<int[]> Groups(TrainingSet data, bool stratified)
    {
        if (!stratified)
        {
            yield return Enumerable.Range(0, data.Count).ToArray();
            yield break;
        }

        var byClass = new List<int>[data.ClassCount];
        for (var c = 0; c < byClass.Length; c++)
        {
            byClass[c] = [];
        }

        for (var i = 0; i < data.Count; i++)
        {
            byClass[data.Labels[i]].Add(i);
        }

        foreach (var rows in byClass)
        {
            yield return [.. rows];
        }
    }
}
