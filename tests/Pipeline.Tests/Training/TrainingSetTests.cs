using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class TrainingSetTests
{
    [Fact]
    public void Constructor_NaNFeature_NamesRowAndColumn()
    {
        var features = new float[12];
        features[2 * 4 + 3] = float.NaN;

        var error = Assert.Throws<ArgumentException>(() => new TrainingSet(features, [0, 1, 0], 4, 2));

        Assert.Contains("row 2, column 3", error.Message);
    }

    [Fact]
    public void Constructor_InfiniteFeature_NamesRowAndColumn()
    {
        var features = new float[6];
        features[1] = float.PositiveInfinity;

        var error = Assert.Throws<ArgumentException>(() => new TrainingSet(features, [0, 1, 0], 2, 2));

        Assert.Contains("row 0, column 1", error.Message);
    }

    [Fact]
    public void Constructor_LabelOutOfRange_NamesRowAndRange()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingSet(new float[3], [0, 2, 1], 1, 2));

        Assert.Contains("Label 2 in row 1 is outside [0, 1]", error.Message);
    }

    [Fact]
    public void Constructor_LengthMismatch_SaysWhatWasExpected()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingSet(new float[5], [0, 1, 0], 2, 2));

        Assert.Contains("features has 5 values but 3 labels × dimension 2 = 6 were expected", error.Message);
    }

    [Fact]
    public void Constructor_Empty_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingSet([], [], 2, 2));

        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void Select_Rows_CopiesFeaturesAndLabelsInOrder()
    {
        var data = new TrainingSet([0f, 1f, 10f, 11f, 20f, 21f], [0, 1, 0], 2, 2);

        var subset = data.Select([2, 0]);

        Assert.Equal([20f, 21f, 0f, 1f], subset.Features);
        Assert.Equal([0, 0], subset.Labels);
    }
}
