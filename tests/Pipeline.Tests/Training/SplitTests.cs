using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class SplitTests
{
    private static readonly TrainingSet Unbalanced = SyntheticData.Blobs(
        200, 2, 3, 1, seed: 21, Enumerable.Range(0, 200).Select(i => i < 20 ? 0 : i < 80 ? 1 : 2).ToArray());

    [Fact]
    public void TrainTestSplit_SameSeed_SameSplitAndPinnedSequence()
    {
        var first = TrainTestSplit.Split(Unbalanced, 0.25, seed: 42);
        var second = TrainTestSplit.Split(Unbalanced, 0.25, seed: 42);
        var other = TrainTestSplit.Split(Unbalanced, 0.25, seed: 43);

        Assert.Equal(first.TestRows, second.TestRows);
        Assert.NotEqual(first.TestRows, other.TestRows);
        Assert.Equal(50, first.TestRows.Length);
        Assert.Equal(Enumerable.Range(0, 200), first.TrainRows.Concat(first.TestRows).Order());
    }

    [Fact]
    public void SplitMix64_Seed0_MatchesPublishedReferenceOutput()
    {
        // First outputs of Vigna's splitmix64.c for seed 0: pins the sequence across machines and runtimes.
        var random = new SplitMix64(0);

        Assert.Equal(0xE220A8397B1DCDAFUL, random.Next());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.Next());
    }

    [Fact]
    public void TrainTestSplit_Stratified_KeepsEachClassProportion()
    {
        var split = TrainTestSplit.Split(Unbalanced, 0.3, seed: 7, stratified: true);

        var testCounts = split.TestRows.GroupBy(r => Unbalanced.Labels[r]).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(6, testCounts[0]);
        Assert.Equal(18, testCounts[1]);
        Assert.Equal(36, testCounts[2]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KFold_AnySetting_HoldsOutEachRowExactlyOnce(bool stratified)
    {
        var folds = KFold.Split(Unbalanced, 3, seed: 5, stratified);

        Assert.Equal(3, folds.Count);
        Assert.Equal(Enumerable.Range(0, 200), folds.SelectMany(f => f.TestRows).Order());
        Assert.All(folds, f => Assert.Empty(f.TrainRows.Intersect(f.TestRows)));
        Assert.All(folds, f => Assert.Equal(200, f.TrainRows.Length + f.TestRows.Length));
        Assert.All(folds, f => Assert.InRange(f.TestRows.Length, 66, 67));
    }

    [Fact]
    public void KFold_Stratified_ClassCountsPerFoldDifferByAtMostOne()
    {
        var folds = KFold.Split(Unbalanced, 3, seed: 5, stratified: true);

        foreach (var (label, total) in new[] { (0, 20), (1, 60), (2, 120) })
        {
            var perFold = folds.Select(f => f.TestRows.Count(r => Unbalanced.Labels[r] == label)).ToArray();
            Assert.Equal(total, perFold.Sum());
            Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {label}: {string.Join(", ", perFold)}");
        }
    }

    [Fact]
    public void KFold_MoreFoldsThanRows_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => KFold.Split(Unbalanced, 201, seed: 1));

        Assert.Contains("folds must be in [2, 200]", error.Message);
    }
}
