using Pipeline.Inference;
using Pipeline.Models;

namespace Pipeline.Tests.Inference;

/// <summary>Several zoo layers read in one Run (<c>--layers</c>), against each layer read on its own.</summary>
public sealed class FeatureLayersTests(ResNet18Fixture resnet) : IClassFixture<ResNet18Fixture>
{
    private static readonly string[] Stages = ["stage1", "stage2", "stage3", "stage4"];

    private float[][] Run(ModelSpec spec)
    {
        using var extractor = new FeatureExtractor(spec, resnet.Model.OnnxPath, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 4 });
        using var batch = extractor.CreateBatch();
        batch.Count = resnet.Images.Length;
        for (var i = 0; i < batch.Count; i++)
        {
            resnet.Images[i].CopyTo(batch.Slot(i));
        }

        extractor.Run(batch);
        return Enumerable.Range(0, batch.Count).Select(i => batch.Features(i).ToArray()).ToArray();
    }

    [Fact]
    public void Run_FourStages_EqualsEachStageRunAloneConcatenatedInTheStatedOrder()
    {
        // Stated order differs from the graph's, so a concatenation in graph order would fail.
        string[] order = ["stage3", "stage1", "stage4", "stage2"];
        var spec = resnet.Model.Spec.WithLayers(order);

        var together = Run(spec);
        var alone = order.Select(layer => Run(resnet.Model.Spec.WithLayers([layer]))).ToArray();

        Assert.Equal(256 + 64 + 512 + 128, spec.FeatureDimension);
        Assert.Equal([256, 64, 512, 128], alone.Select(a => a[0].Length));
        for (var i = 0; i < resnet.Images.Length; i++)
        {
            var expected = alone.SelectMany(a => a[i]).ToArray();
            Assert.Equal(expected.Length, together[i].Length);
            // The same trunk in one session or in four: 1e-5 absolute allows a different fusion of the sums.
            for (var j = 0; j < expected.Length; j++)
            {
                Assert.Equal(expected[j], together[i][j], 1e-5);
            }
        }

        Assert.NotEqual(together[0], together[1]);
    }

    [Fact]
    public void Run_Stage4_EqualsTheZoosFeatureNode()
    {
        // Pooling395 is a 7x7 AveragePool of stage4's map, so the zoo's comment and the last-layer rows of bench/quality.md hold.
        var stage4 = Run(resnet.Model.Spec.WithLayers(["stage4"]));
        var featureNode = Run(resnet.Model.Spec);

        for (var i = 0; i < resnet.Images.Length; i++)
        {
            Assert.Equal(512, stage4[i].Length);
            for (var j = 0; j < 512; j++)
            {
                Assert.Equal(featureNode[i][j], stage4[i][j], 1e-5);
            }
        }
    }

    [Fact]
    public void Run_SpatialPyramid_IsTheGlobalMeanThenTheMeansOfTwoByTwoCells()
    {
        // stage4 is 7x7, an odd side: the cells are rows/columns [0,4) and [3,7), torch's adaptive pooling bins.
        var map = Run(resnet.Model.Spec.WithLayers(["stage4"]) with { Pooling = FeaturePooling.None });
        var pyramid = Run(resnet.Model.Spec.WithLayers(["stage4"]) with { Pooling = FeaturePooling.SpatialPyramid });
        (int From, int To)[] bins = [(0, 4), (3, 7)];

        for (var i = 0; i < resnet.Images.Length; i++)
        {
            Assert.Equal(512 * 49, map[i].Length);
            Assert.Equal(512 * 5, pyramid[i].Length);
            for (var c = 0; c < 512; c++)
            {
                double Mean((int From, int To) rows, (int From, int To) columns)
                {
                    var sum = 0.0;
                    for (var y = rows.From; y < rows.To; y++)
                    {
                        for (var x = columns.From; x < columns.To; x++)
                        {
                            sum += map[i][(c * 49) + (y * 7) + x];
                        }
                    }

                    return sum / ((rows.To - rows.From) * (columns.To - columns.From));
                }

                Assert.Equal(Mean((0, 7), (0, 7)), pyramid[i][c], 1e-5);
                for (var cell = 0; cell < 4; cell++)
                {
                    Assert.Equal(Mean(bins[cell / 2], bins[cell % 2]), pyramid[i][512 + (c * 4) + cell], 1e-5);
                }
            }
        }
    }

    [Fact]
    public void Constructor_SpatialPyramidOnTheOneByOneFeatureNode_IsRefusedNamingTheNode()
    {
        var spec = resnet.Model.Spec with { Pooling = FeaturePooling.SpatialPyramid };

        var e = Assert.Throws<ModelZooException>(() => new FeatureExtractor(spec, resnet.Model.OnnxPath, new InferenceOptions { Device = InferenceDevice.Cpu }));

        Assert.Contains("'Pooling395_Output_0'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[512,1,1]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithLayers_UnknownOrRepeatedLayer_NamesTheKnownOnes()
    {
        var unknown = Assert.Throws<ModelZooException>(() => resnet.Model.Spec.WithLayers(["stage5"]));
        var repeated = Assert.Throws<ModelZooException>(() => resnet.Model.Spec.WithLayers(["stage2", "Stage2"]));

        Assert.Equal("Model 'resnet18' has no layer 'stage5'; its layers are: stage1, stage2, stage3, stage4.", unknown.Message);
        Assert.Equal("Layer 'stage2' of model 'resnet18' is named twice; each layer is read once.", repeated.Message);
        Assert.Equal(Stages, resnet.Model.Spec.AvailableLayers.Select(l => l.Name));
        Assert.Equal("stage1,stage2,stage3,stage4", resnet.Model.Spec.WithLayers(Stages).LayerNames);
        Assert.Equal("ReLU283_Output_0,ReLU315_Output_0,ReLU347_Output_0,ReLU393_Output_0", resnet.Model.Spec.WithLayers(Stages).FeatureNodes);
    }
}
