using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using Pipeline.Inference;

namespace Pipeline.Tests.Inference;

/// <summary>The quantizer on graphs built here, small enough that every value can be reasoned about.</summary>
public sealed class OnnxQuantizerTests
{
    private const int Float = (int)TensorProto.Types.DataType.Float;

    [Fact]
    public void Quantize_BiasBeyondInt32AtTheWeightsScale_RaisesTheChannelsScaleAndKeepsTheOutputClose()
    {
        // Channel 1 is what BatchNormalization folding leaves after a tiny γ/σ: weights of 1e-6 and a
        // bias of 50. At the weights' own scale (1e-6/127) and the input's (1/255) the bias would be
        // 1.6e12 int32 levels, and saturated it would read as 0.07.
        var model = Model(
            Input("x", 1, 2, 4, 4),
            Output("y", 1, 2, 4, 4),
            [Tensor("w", [0.5f, 0.5f, 1e-6f, 1e-6f], 2, 2, 1, 1), Tensor("b", [0.1f, 50f], 2)],
            OnnxGraphEditor.Node("Conv", "conv", ["x", "w", "b"], "conv_out"),

            // The quantizer reads its outputs dequantized: a featurizer's output is pooled after its last Conv.
            OnnxGraphEditor.Node("Identity", "out", ["conv_out"], "y"));
        var input = Enumerable.Range(0, 32).Select(i => (i * 7 % 32) / 31f).ToArray();
        var expected = Run(model, input);

        var quantized = model.Clone();
        OnnxQuantizer.Quantize(quantized, new Dictionary<string, (float, float)> { ["x"] = (0f, 1f), ["conv_out"] = (expected.Min(), expected.Max()) });
        var actual = Run(quantized, input);

        // The output's uint8 step is about 50/255 = 0.2: every value within one step of fp32.
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 0.2f));
    }

    [Fact]
    public void FindOps_NhwcModelWhoseImageIsTransposedBeforeTheStem_LeavesTheStemFloat()
    {
        // As tf2onnx exports an NHWC model: the image is transposed to NCHW, then the stem reads it.
        var model = Model(
            Input("image", 1, 4, 4, 2),
            Output("y", 1, 2, 4, 4),
            [Tensor("w1", [1f, 0f, 0f, 1f], 2, 2, 1, 1), Tensor("w2", [1f, 1f, 1f, -1f], 2, 2, 1, 1)],
            OnnxGraphEditor.Node("Transpose", "to_nchw", ["image"], "nchw", ("perm", new long[] { 0, 3, 1, 2 })),
            OnnxGraphEditor.Node("Conv", "stem", ["nchw", "w1"], "stem_out"),
            OnnxGraphEditor.Node("Relu", "stem_relu", ["stem_out"], "stem_relu_out"),
            OnnxGraphEditor.Node("Conv", "conv2", ["stem_relu_out", "w2"], "y"));

        var ops = OnnxQuantizer.FindOps(model.Graph);

        Assert.Equal(["conv2"], ops.Select(op => op.Node.Name));
    }

    private static float[] Run(ModelProto model, float[] input)
    {
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL, IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        var shape = model.Graph.Input[0].Type.TensorType.Shape.Dim.Select(d => d.DimValue).ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [model.Graph.Input[0].Name], [value], [model.Graph.Output[0].Name]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static ModelProto Model(ValueInfoProto input, ValueInfoProto output, TensorProto[] initializers, params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Input.Add(input);
        graph.Output.Add(output);
        graph.Initializer.Add(initializers);
        graph.Node.Add(nodes);
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxQuantizer.Opset });
        return model;
    }

    private static ValueInfoProto Input(string name, params long[] dims) => Value(name, dims);

    private static ValueInfoProto Output(string name, params long[] dims) => Value(name, dims);

    private static ValueInfoProto Value(string name, long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = Float, Shape = shape } } };
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = Float, RawData = ByteString.CopyFrom(values.SelectMany(BitConverter.GetBytes).ToArray()) };
        tensor.Dims.Add(dims);
        return tensor;
    }
}
