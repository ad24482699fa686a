using Pipeline.Training;

namespace Pipeline.Tests.Training;

/// <summary>Small seeded Gaussian blobs: class c is centred at <c>separation</c>·e_c.</summary>
internal static class SyntheticData
{
    public static TrainingSet Blobs(int rows, int dimension, int classes, double separation, int seed, int[]? labels = null)
    {
        var random = new Random(seed);
        labels ??= Enumerable.Range(0, rows).Select(i => i % classes).ToArray();
        var features = new float[rows * dimension];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < dimension; j++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                features[i * dimension + j] = (float)(gaussian + (j == labels[i] % dimension ? separation : 0));
            }
        }

        return new TrainingSet(features, labels, dimension, classes);
    }
}
