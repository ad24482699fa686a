using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class InverseHessianApproximationTests
{
    [Fact]
    public void Update_PairWithoutCurvatureWhenFull_LeavesStoredPairsUnchanged()
    {
        var full = new InverseHessianApproximation(memory: 2, dimension: 2);
        var reference = new InverseHessianApproximation(memory: 2, dimension: 2);
        foreach (var memory in new[] { full, reference })
        {
            memory.Update([1, 0], [0, 0], [2, 0], [0, 0]);
            memory.Update([1, 1], [1, 0], [2, 3], [2, 0]);
        }

        // sᵀy = (1, 1)·(−1, −1) < 0: the pair must be skipped, and must not overwrite the oldest slot.
        full.Update([2, 2], [1, 1], [1, 2], [2, 3]);

        var gradient = new double[] { 0.5, -1.5 };
        var actual = new double[2];
        var expected = new double[2];
        full.DescentDirection(gradient, actual);
        reference.DescentDirection(gradient, expected);

        Assert.Equal(2, full.Count);
        Assert.Equal(expected, actual);
    }
}
