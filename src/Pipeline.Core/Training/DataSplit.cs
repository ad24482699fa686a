namespace Pipeline.Training;

/// <summary>Row indices of one train/held-out partition, each list in ascending order.</summary>
internal sealed record DataSplit(int[] TrainRows, int[] TestRows);
