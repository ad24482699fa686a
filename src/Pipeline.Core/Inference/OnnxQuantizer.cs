using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace Pipeline.Inference;

/// <summary>
/// Static post-training quantization of a featurizer graph to QDQ form: every Conv, Gemm and
/// MatMul with constant weights but the stem (see <see cref="FindOps"/>) reads its activation through QuantizeLinear → DequantizeLinear
/// (uint8, asymmetric, scale from calibration), its weights as int8 per output channel
/// (symmetric) and its bias as int32, and its output is quantized the same way. ONNX Runtime's
/// QDQ transformer (optimization level ≥ extended) then fuses each DQ → Conv → Q into one
/// QLinearConv on its integer kernels; ops between (Add, pooling) stay float on dequantized values.
/// </summary>
/// <remarks>
/// <para>
/// A Relu that is the only consumer of a quantized op's output is removed and the output
/// quantized with the Relu's range instead: a uint8 quantizer whose zero point is 0 clamps at 0,
/// which is the Relu, and all 256 levels then cover the values that survive it.
/// </para>
/// <para>
/// uint8 activations with int8 weights (U8S8) are what x86's integer dot products take
/// (AVX2 vpmaddubsw, AVX-512 VNNI vpdpbusd). Weights use ±127, not −128, so a negated weight is
/// representable and the scale is symmetric.
/// </para>
/// <para>
/// The graph must be written against opset ≥ 13 for per-axis DequantizeLinear;
/// <see cref="PrepareOpset"/> raises an older one, which the trunk ops of the zoo models allow.
/// </para>
/// </remarks>
internal static class OnnxQuantizer
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Uint8 = (int)TensorProto.Types.DataType.Uint8;
    private const int Int8 = (int)TensorProto.Types.DataType.Int8;
    private const int Int32 = (int)TensorProto.Types.DataType.Int32;

    /// <summary>The opset the quantized graph is written against: per-axis DequantizeLinear needs 13.</summary>
    public const long Opset = 13;

    /// <summary>Largest weight level: symmetric ±127.</summary>
    private const float WeightLevels = 127f;

    /// <summary>Largest int32 bias level, with headroom for the float rounding of the scales that produce it.</summary>
    private const int MaxBias = int.MaxValue - 1024;

    /// <summary>One op whose inputs are quantized: its activation, its constant weight (and bias), and the tensor quantized after it.</summary>
    /// <param name="Node">The Conv, Gemm or MatMul.</param>
    /// <param name="WeightAxis">The weight's output-channel axis: 0 for Conv and a transposed Gemm, 1 for MatMul.</param>
    /// <param name="Relu">The Relu folded into it, or null.</param>
    internal sealed record QuantizedOp(NodeProto Node, int WeightAxis, NodeProto? Relu)
    {
        public string Activation => Node.Input[0];

        /// <summary>The tensor quantized after the op: the Relu's output when one is folded.</summary>
        public string Output => Relu?.Output[0] ?? Node.Output[0];
    }

    /// <summary>
    /// Raises the default-domain opset to <see cref="Opset"/> and the IR version to 7 (initializers
    /// no longer listed as inputs), dropping BatchNormalization's <c>spatial</c>, which opset 9
    /// removed; the other trunk ops (Conv, Relu, pooling, Add, Concat, Flatten) read alike.
    /// </summary>
    public static void PrepareOpset(ModelProto model)
    {
        var opset = model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx");
        if (opset is null)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        }
        else if (opset.Version < Opset)
        {
            opset.Version = Opset;
            foreach (var node in model.Graph.Node.Where(n => n.OpType == "BatchNormalization"))
            {
                var spatial = node.Attribute.FirstOrDefault(a => a.Name == "spatial");
                if (spatial is not null)
                {
                    node.Attribute.Remove(spatial);
                }
            }
        }

        model.IrVersion = Math.Max(model.IrVersion, 7);
        var initializers = model.Graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        model.Graph.Input.Clear();
        model.Graph.Input.Add(inputs);
    }

    /// <summary>The ops <see cref="Quantize"/> rewrites, in graph order: all with constant weights, less the stem when there are others.</summary>
    public static IReadOnlyList<QuantizedOp> FindOps(GraphProto graph)
    {
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var consumers = Consumers(graph);
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var ops = new List<QuantizedOp>();
        foreach (var node in graph.Node)
        {
            if (WeightAxis(node, initializers) is not { } axis || initializers.ContainsKey(node.Input[0]))
            {
                continue;
            }

            var output = node.Output[0];
            var relu = !outputs.Contains(output) && consumers.TryGetValue(output, out var readers) && readers.Count == 1 && readers[0].OpType == "Relu"
                ? readers[0]
                : null;
            ops.Add(new QuantizedOp(node, axis, relu));
        }

        // The stem, the op that reads the image itself, stays float when others are quantized: its
        // input's range comes from the normalisation, not a Relu, its error reaches every later
        // layer, and its few input channels make it a small share of the work.
        var image = ImageTensors(graph);
        return ops.Count > 1 ? [.. ops.Where(op => !image.Contains(op.Activation))] : ops;
    }

    /// <summary>
    /// The graph inputs and what only relayouts them: an NHWC export (tf2onnx) transposes the image
    /// to NCHW before its stem, and a cast or reshape changes no value's meaning either.
    /// </summary>
    private static HashSet<string> ImageTensors(GraphProto graph)
    {
        var image = graph.Input.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            if (node.OpType is "Transpose" or "Reshape" or "Cast" or "Identity" && node.Input.Count > 0 && image.Contains(node.Input[0]))
            {
                image.UnionWith(node.Output);
            }
        }

        return image;
    }

    /// <summary>The activation tensors whose ranges calibration must measure.</summary>
    public static IReadOnlyList<string> CalibratedTensors(IReadOnlyList<QuantizedOp> ops) =>
        ops.SelectMany(op => new[] { op.Activation, op.Output }).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Rewrites <paramref name="model"/> (prepared by <see cref="PrepareOpset"/>) in place into QDQ
    /// form with the calibrated <paramref name="ranges"/> of every tensor <see cref="CalibratedTensors"/> named.
    /// </summary>
    /// <exception cref="ArgumentException">A range is missing.</exception>
    public static void Quantize(ModelProto model, IReadOnlyDictionary<string, (float Min, float Max)> ranges)
    {
        var graph = model.Graph;
        var ops = FindOps(graph);
        var initializers = graph.Initializer.ToDictionary(t => t.Name, StringComparer.Ordinal);
        var activations = CalibratedTensors(ops);
        var activationScales = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var tensor in activations)
        {
            if (!ranges.TryGetValue(tensor, out var range))
            {
                throw new ArgumentException($"No calibrated range for tensor '{tensor}'.", nameof(ranges));
            }

            var (scale, zeroPoint) = Uint8Parameters(range.Min, range.Max);
            activationScales[tensor] = scale;
            graph.Initializer.Add(Scalar(tensor + "_scale", scale));
            graph.Initializer.Add(new TensorProto { Name = tensor + "_zero_point", DataType = Uint8, RawData = ByteString.CopyFrom(zeroPoint) });
        }

        // Each folded Relu goes; its op writes the Relu's output name, so readers are unchanged.
        var removed = new HashSet<NodeProto>(ops.Where(op => op.Relu is not null).Select(op => op.Relu!));
        foreach (var op in ops.Where(op => op.Relu is not null))
        {
            op.Node.Output[0] = op.Relu!.Output[0];
        }

        var weightNodes = new Dictionary<NodeProto, List<NodeProto>>();
        foreach (var (op, index) in ops.Select((op, i) => (op, i)))
        {
            weightNodes[op.Node] = QuantizeWeights(graph, op, index, initializers, activationScales[op.Activation]);
        }

        var quantized = activations.ToHashSet(StringComparer.Ordinal);
        var graphOutputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var nodes = new List<NodeProto>();
        foreach (var input in graph.Input.Where(i => quantized.Contains(i.Name)))
        {
            nodes.AddRange(QuantizeDequantize(input.Name));
        }

        foreach (var node in graph.Node)
        {
            if (removed.Contains(node))
            {
                continue;
            }

            if (weightNodes.TryGetValue(node, out var dequantizeWeights))
            {
                nodes.AddRange(dequantizeWeights);
            }

            for (var i = 0; i < node.Input.Count; i++)
            {
                if (quantized.Contains(node.Input[i]))
                {
                    node.Input[i] = Dequantized(node.Input[i]);
                }
            }

            nodes.Add(node);
            foreach (var output in node.Output.Where(quantized.Contains))
            {
                nodes.AddRange(QuantizeDequantize(output));
                if (graphOutputs.Contains(output))
                {
                    throw new ArgumentException($"Tensor '{output}' is a graph output; the featurizer's output is pooled after the last quantized op.", nameof(model));
                }
            }
        }

        graph.Node.Clear();
        graph.Node.Add(nodes);
        var read = graph.Node.SelectMany(n => n.Input).ToHashSet(StringComparer.Ordinal);
        var kept = graph.Initializer.Where(t => read.Contains(t.Name)).ToList();
        graph.Initializer.Clear();
        graph.Initializer.Add(kept);
        graph.ValueInfo.Clear();
    }

    /// <summary>Scale and zero point of an asymmetric uint8 quantizer covering [min, max] and 0.</summary>
    internal static (float Scale, byte ZeroPoint) Uint8Parameters(float min, float max)
    {
        var low = Math.Min(min, 0f);
        var high = Math.Max(max, 0f);
        if (!(high > low))
        {
            return (1f, 0);
        }

        var scale = (high - low) / 255f;
        var zeroPoint = (byte)Math.Clamp(MathF.Round(-low / scale, MidpointRounding.ToEven), 0, 255);
        return (scale, zeroPoint);
    }

    private static string Dequantized(string tensor) => tensor + "_dequantized";

    private static NodeProto[] QuantizeDequantize(string tensor) =>
    [
        Node("QuantizeLinear", tensor + "_quantize", [tensor, tensor + "_scale", tensor + "_zero_point"], tensor + "_quantized"),
        Node("DequantizeLinear", tensor + "_dequantize", [tensor + "_quantized", tensor + "_scale", tensor + "_zero_point"], Dequantized(tensor)),
    ];

    /// <summary>
    /// Replaces the op's weight (and bias) with int8 (int32) initializers read through a per-axis
    /// DequantizeLinear; returns the nodes that must precede the op. Names carry the op's index so a
    /// weight two ops share is quantized once for each, with each one's activation scale for the bias.
    /// </summary>
    private static List<NodeProto> QuantizeWeights(GraphProto graph, QuantizedOp op, int index, Dictionary<string, TensorProto> initializers, float activationScale)
    {
        var node = op.Node;
        var prefix = $"pipeline_q{index}_";
        var (weights, dims) = Floats(initializers[node.Input[1]]);
        var channels = checked((int)dims[op.WeightAxis]);
        var inner = checked((int)dims.Skip(op.WeightAxis + 1).Aggregate(1L, (p, d) => p * d));
        var scales = new float[channels];
        for (var i = 0; i < weights.Length; i++)
        {
            var c = i / inner % channels;
            scales[c] = Math.Max(scales[c], Math.Abs(weights[i]));
        }

        for (var c = 0; c < channels; c++)
        {
            scales[c] = scales[c] > 0 ? scales[c] / WeightLevels : 1f;
        }

        // The int32 bias is bias / (weight scale × activation scale). BatchNormalization folding can
        // leave a channel with tiny weights (a small γ/σ) and an ordinary bias, whose quotient would
        // exceed int32 and saturate, losing the bias; that channel's weight scale is raised until the
        // bias fits, which costs only weight levels the channel barely used.
        var bias = node.Input.Count > 2 && initializers.TryGetValue(node.Input[2], out var biasTensor) ? Floats(biasTensor) : default;
        if (bias.Values is { } biasValues && biasValues.Length == channels)
        {
            for (var c = 0; c < channels; c++)
            {
                var fitting = (float)(Math.Abs(biasValues[c]) / (activationScale * (double)MaxBias));
                scales[c] = Math.Max(scales[c], fitting);
            }
        }

        var quantized = new byte[weights.Length];
        for (var i = 0; i < weights.Length; i++)
        {
            quantized[i] = unchecked((byte)(sbyte)Math.Clamp(MathF.Round(weights[i] / scales[i / inner % channels], MidpointRounding.ToEven), -WeightLevels, WeightLevels));
        }

        var weight = new TensorProto { Name = prefix + "weight", DataType = Int8, RawData = ByteString.CopyFrom(quantized) };
        weight.Dims.Add(dims);
        graph.Initializer.Add(weight);
        graph.Initializer.Add(Vector(prefix + "weight_scale", scales));
        graph.Initializer.Add(Zeros(prefix + "weight_zero_point", Int8, channels, sizeof(sbyte)));
        var nodes = new List<NodeProto>
        {
            Node("DequantizeLinear", prefix + "weight_dequantize", [weight.Name, prefix + "weight_scale", prefix + "weight_zero_point"], prefix + "weight_dequantized", op.WeightAxis),
        };
        node.Input[1] = prefix + "weight_dequantized";

        if (bias.Values is { } values && values.Length == channels)
        {
            var biasScales = scales.Select(s => s * activationScale).ToArray();
            var raw = new byte[values.Length * sizeof(int)];
            for (var c = 0; c < channels; c++)
            {
                var q = Math.Clamp(Math.Round(values[c] / (double)biasScales[c], MidpointRounding.ToEven), -MaxBias, MaxBias);
                BinaryPrimitives.WriteInt32LittleEndian(raw.AsSpan(c * sizeof(int)), (int)q);
            }

            var quantizedBias = new TensorProto { Name = prefix + "bias", DataType = Int32, RawData = ByteString.CopyFrom(raw) };
            quantizedBias.Dims.Add(bias.Dims);
            graph.Initializer.Add(quantizedBias);
            graph.Initializer.Add(Vector(prefix + "bias_scale", biasScales));
            graph.Initializer.Add(Zeros(prefix + "bias_zero_point", Int32, channels, sizeof(int)));
            nodes.Add(Node("DequantizeLinear", prefix + "bias_dequantize", [quantizedBias.Name, prefix + "bias_scale", prefix + "bias_zero_point"], prefix + "bias_dequantized", 0));
            node.Input[2] = prefix + "bias_dequantized";
        }

        return nodes;
    }

    /// <summary>The output-channel axis of a quantizable op's constant weight, or null when the op is not quantized.</summary>
    private static int? WeightAxis(NodeProto node, Dictionary<string, TensorProto> initializers)
    {
        if (node.Input.Count < 2 || !initializers.TryGetValue(node.Input[1], out var weight) || weight.DataType != Float)
        {
            return null;
        }

        long Int(string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name)?.I ?? fallback;
        float Real(string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.F ?? 1f;
        return node.OpType switch
        {
            "Conv" when weight.Dims.Count >= 3 => 0,
            "MatMul" when weight.Dims.Count == 2 => 1,
            // Gemm's alpha, beta or a transposed A would need rescaling the quantized values; left float.
            "Gemm" when weight.Dims.Count == 2 && Int("transA", 0) == 0 && Real("alpha") == 1f && Real("beta") == 1f => Int("transB", 0) == 1 ? 0 : 1,
            _ => null,
        };
    }

    private static Dictionary<string, List<NodeProto>> Consumers(GraphProto graph)
    {
        var consumers = new Dictionary<string, List<NodeProto>>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            foreach (var input in node.Input.Where(i => i.Length > 0))
            {
                if (!consumers.TryGetValue(input, out var list))
                {
                    consumers[input] = list = [];
                }

                list.Add(node);
            }
        }

        return consumers;
    }

    private static (float[] Values, long[] Dims) Floats(TensorProto tensor)
    {
        var dims = tensor.Dims.ToArray();
        if (tensor.FloatData.Count > 0)
        {
            return (tensor.FloatData.ToArray(), dims);
        }

        var raw = tensor.RawData.Span;
        var values = new float[raw.Length / sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
        }

        return (values, dims);
    }

    private static TensorProto Scalar(string name, float value)
    {
        var tensor = new TensorProto { Name = name, DataType = Float };
        tensor.FloatData.Add(value);
        return tensor;
    }

    private static TensorProto Vector(string name, float[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = Float };
        tensor.Dims.Add(values.Length);
        tensor.FloatData.Add(values);
        return tensor;
    }

    private static TensorProto Zeros(string name, int dataType, int count, int elementSize)
    {
        var tensor = new TensorProto { Name = name, DataType = dataType, RawData = ByteString.CopyFrom(new byte[count * elementSize]) };
        tensor.Dims.Add(count);
        return tensor;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, long? axis = null) =>
        axis is { } a
            ? OnnxGraphEditor.Node(op, name, inputs, output, ("axis", a))
            : OnnxGraphEditor.Node(op, name, inputs, output);
}
