namespace Pipeline.Training;

/// <summary>Seeded k-fold partition: every row is held out in exactly one fold.</summary>
internal static class KFold
{
    /// <summary>
    /// Shuffles the rows (within each class when <paramref name="stratified"/>) and deals them
    /// round-robin into <paramref name="folds"/> folds, continuing the deal across classes so fold
    /// sizes differ by at most one and each class's count per fold by at most one.
    /// </summary>
    public static IReadOnlyList<DataSplit> Split(TrainingSet data, int folds, ulong seed, bool stratified = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (folds < 2 || folds > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(folds), folds, $"folds must be in [2, {data.Count}] (the row count).");
        }

        var random = new SplitMix64(seed);
        var fold = new int[data.Count];
        var dealt = 0;
        foreach (var group in TrainTestSplit.Groups(data, stratified))
        {
            random.Shuffle(group);
            foreach (var row in group)
            {
                fold[row] = dealt++ % folds;
            }
        }

        var splits = new DataSplit[folds];
        for (var f = 0; f < folds; f++)
        {
            var test = new List<int>();
            var train = new List<int>();
            for (var i = 0; i < fold.Length; i++)
            {
                (fold[i] == f ? test : train).Add(i);
            }

            splits[f] = new DataSplit([.. train], [.. test]);
        }

        return splits;
    }
}
