using Onnx;
using Pipeline.Models;

namespace Pipeline.Inference;

/// <summary>
/// Rewrites a classifier's ONNX graph into a featurizer: the zoo's feature node, pooled as the
/// spec says, becomes the only output, everything downstream of it (the classifier) is removed,
/// and a batch axis fixed at 1 becomes symbolic.
/// </summary>
/// <remarks>
/// ORT can only fetch graph outputs (onnxruntime#1455), so the feature tensor has to be declared
/// one; a name-only ValueInfoProto is enough (onnxruntime#2119). Pooling is appended to the graph
/// rather than done in C# so the session returns [N, D] straight into the batch's output buffer.
/// </remarks>
internal static class OnnxGraphEditor
{
    /// <summary>Name of the featurizer's single output, [N, FeatureDimension].</summary>
    public const string FeatureOutput = "pipeline_features";

    /// <summary>The symbolic batch dimension written over a fixed leading 1.</summary>
    internal const string BatchAxis = "N";

    /// <summary>Edits <paramref name="model"/> in place; <paramref name="source"/> names the file in error messages.</summary>
    public static void ToFeaturizer(ModelProto model, ModelSpec spec, string source)
    {
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var realInputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        var input = realInputs.FirstOrDefault(i => i.Name == spec.InputName)
            ?? throw new ModelZooException($"'{source}' has no input '{spec.InputName}' (model '{spec.Name}'); its inputs are: {string.Join(", ", realInputs.Select(i => i.Name))}.");
        CheckInputShape(input, spec, source);

        spec.EnsurePoolingApplies();
        var produced = graph.Node.SelectMany(n => n.Output).ToHashSet(StringComparer.Ordinal);
        if (spec.Layers.Count == 0)
        {
            if (!produced.Contains(spec.FeatureNode))
            {
                throw new ModelZooException($"'{source}' has no tensor '{spec.FeatureNode}' (featureNode of model '{spec.Name}'); check the name with Netron or the zoo's howToGet.");
            }

            AppendPooling(graph, spec, spec.FeatureNode, spec.FeatureShape, FeatureOutput, "pipeline", Opset(model));
        }
        else
        {
            // One graph computes every layer's pooled vector and their concatenation, so one Run of
            // the trunk gives all the requested nodes in the stated order.
            var pooled = new List<string>(spec.Layers.Count);
            foreach (var layer in spec.Layers)
            {
                if (!produced.Contains(layer.Node))
                {
                    throw new ModelZooException($"'{source}' has no tensor '{layer.Node}' (layer '{layer.Name}' of model '{spec.Name}'); check the name with Netron.");
                }

                var output = $"pipeline_{layer.Name}_features";
                AppendPooling(graph, spec, layer.Node, layer.Shape, output, $"pipeline_{layer.Name}", Opset(model));
                pooled.Add(output);
            }

            graph.Node.Add(Node("Concat", "pipeline_concat", pooled, FeatureOutput, ("axis", 1L)));
        }

        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto { Name = FeatureOutput });
        PruneTo(graph, FeatureOutput);
        MakeBatchSymbolic(graph);
    }

    /// <summary>The default-domain opset the graph is written against.</summary>
    private static long Opset(ModelProto model) =>
        model.OpsetImport.Where(o => o.Domain is "" or "ai.onnx").Select(o => o.Version).DefaultIfEmpty(1).Max();

    /// <summary>Builds an ONNX node; attributes are ints (axis, keepdims) or int lists (axes).</summary>
    public static NodeProto Node(string op, string name, IEnumerable<string> inputs, string output, params (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.Add(inputs);
        node.Output.Add(output);
        foreach (var (attrName, value) in attributes)
        {
            var attribute = new AttributeProto { Name = attrName };
            switch (value)
            {
                case long i:
                    attribute.Type = AttributeProto.Types.AttributeType.Int;
                    attribute.I = i;
                    break;
                case long[] ints:
                    attribute.Type = AttributeProto.Types.AttributeType.Ints;
                    attribute.Ints.Add(ints);
                    break;
                default:
                    throw new ArgumentException($"Unsupported attribute value {value.GetType()}.", nameof(attributes));
            }

            node.Attribute.Add(attribute);
        }

        return node;
    }

    private static void CheckInputShape(ValueInfoProto input, ModelSpec spec, string source)
    {
        var dims = input.Type?.TensorType?.Shape?.Dim;
        if (dims is null || dims.Count == 0)
        {
            return;
        }

        long[] expected = spec.Layout == TensorLayout.Nchw ? [3, spec.InputSize, spec.InputSize] : [spec.InputSize, spec.InputSize, 3];
        var fixedDims = dims.Skip(1).Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray();
        if (dims.Count != 4 || fixedDims.Zip(expected).Any(p => p.First != -1 && p.First != p.Second))
        {
            throw new ModelZooException($"Input '{input.Name}' of '{source}' has shape [{string.Join(",", dims.Select(Describe))}]; model '{spec.Name}' expects [N,{string.Join(",", expected)}] ({spec.Layout}).");
        }
    }

    private static string Describe(TensorShapeProto.Types.Dimension d) =>
        d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture) : d.DimParam;

    /// <summary>Appends the nodes that turn <paramref name="feature"/> into [N, d] at <paramref name="output"/>; node names start with <paramref name="prefix"/>.</summary>
    private static void AppendPooling(GraphProto graph, ModelSpec spec, string feature, IReadOnlyList<int> shape, string output, string prefix, long opset)
    {
        if (shape.Count != 3)
        {
            graph.Node.Add(Node("Identity", $"{prefix}_identity", [feature], output));
            return;
        }

        if (spec.Pooling == FeaturePooling.None)
        {
            // Flatten keeps the model's own memory order, so NHWC maps flatten like Keras/Spark's tf.reshape.
            graph.Node.Add(Node("Flatten", $"{prefix}_flatten", [feature], output, ("axis", 1L)));
            return;
        }

        if (spec.Layout == TensorLayout.Nchw)
        {
            var global = spec.Pooling == FeaturePooling.SpatialPyramid ? $"{prefix}_global" : output;
            graph.Node.Add(Node("GlobalAveragePool", $"{prefix}_gap", [feature], $"{prefix}_pooled"));
            graph.Node.Add(Node("Flatten", $"{prefix}_flatten", [$"{prefix}_pooled"], global, ("axis", 1L)));
            if (spec.Pooling == FeaturePooling.SpatialPyramid)
            {
                var (kernelH, strideH) = HalvingWindow(shape[1]);
                var (kernelW, strideW) = HalvingWindow(shape[2]);
                graph.Node.Add(Node("AveragePool", $"{prefix}_cells", [feature], $"{prefix}_cells_map", ("kernel_shape", new long[] { kernelH, kernelW }), ("strides", new long[] { strideH, strideW })));
                graph.Node.Add(Node("Flatten", $"{prefix}_cells_flatten", [$"{prefix}_cells_map"], $"{prefix}_cells", ("axis", 1L)));
                graph.Node.Add(Node("Concat", $"{prefix}_pyramid", [global, $"{prefix}_cells"], output, ("axis", 1L)));
            }

            return;
        }

        // NHWC (tf2onnx) maps: GlobalAveragePool assumes channels first, so average the H and W axes directly.
        if (opset >= 18)
        {
            var axes = new TensorProto { Name = $"{prefix}_spatial_axes", DataType = (int)TensorProto.Types.DataType.Int64 };
            axes.Dims.Add(2);
            axes.Int64Data.Add([1L, 2L]);
            graph.Initializer.Add(axes);
            graph.Node.Add(Node("ReduceMean", $"{prefix}_gap", [feature, axes.Name], output, ("keepdims", 0L)));
        }
        else
        {
            graph.Node.Add(Node("ReduceMean", $"{prefix}_gap", [feature], output, ("axes", new long[] { 1, 2 }), ("keepdims", 0L)));
        }
    }

    /// <summary>
    /// The AveragePool window and stride that cut a side of <paramref name="size"/> into two cells
    /// as torch's adaptive_avg_pool2d does: cell i covers [floor(i·n/2), ceil((i+1)·n/2)), so an odd
    /// side's cells share the middle row.
    /// </summary>
    private static (long Kernel, long Stride) HalvingWindow(int size) => ((size + 1) / 2, size / 2);

    /// <summary>
    /// Keeps only the nodes the output depends on, and the initializers they read. Done here rather
    /// than trusting the runtime, so the classifier is never computed and its weights never loaded.
    /// </summary>
    private static void PruneTo(GraphProto graph, string output)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal) { output };
        var keep = new List<NodeProto>();
        for (var i = graph.Node.Count - 1; i >= 0; i--)
        {
            var node = graph.Node[i];
            if (!node.Output.Any(needed.Contains))
            {
                continue;
            }

            keep.Add(node);
            needed.UnionWith(node.Input.Where(n => n.Length > 0));
            // Subgraphs (If/Loop bodies) may read outer tensors; keep everything they mention.
            foreach (var sub in node.Attribute.Where(a => a.G is not null).Select(a => a.G))
            {
                needed.UnionWith(sub.Node.SelectMany(n => n.Input));
            }
        }

        keep.Reverse();
        graph.Node.Clear();
        graph.Node.Add(keep);
        var initializers = graph.Initializer.Where(t => needed.Contains(t.Name)).ToList();
        var initializerNames = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        graph.Initializer.Clear();
        graph.Initializer.Add(initializers);
        // IR < 4 lists initializers among the inputs too; drop the ones whose initializer went.
        var inputs = graph.Input.Where(i => !initializerNames.Contains(i.Name) || needed.Contains(i.Name)).ToList();
        graph.Input.Clear();
        graph.Input.Add(inputs);
        var valueInfo = graph.ValueInfo.Where(v => needed.Contains(v.Name)).ToList();
        graph.ValueInfo.Clear();
        graph.ValueInfo.Add(valueInfo);
    }

    /// <summary>
    /// Rewrites a leading dimension fixed at 1 as the symbol N on the image inputs, the outputs and
    /// the intermediate value_info, so one session runs any batch size.
    /// </summary>
    /// <remarks>
    /// The bundled ResNet18 declares [1,3,224,224] although nothing in it (Conv, BN, pooling, Add;
    /// no Reshape) depends on the batch size. Editing the declared shapes gives one session and one
    /// Run per batch; the alternative, a pool of batch-1 sessions or B Runs per batch, loses the
    /// batching that is the point of the inference stage (ORT parallelises inside one big Run) and
    /// multiplies the weights in memory. Batched output is checked against batch-1 output in tests.
    /// Ops with a baked-in batch size (a Reshape to [1,-1]) would still break this; the featurizer
    /// graphs keep only the convolutional trunk, where such ops do not occur.
    /// </remarks>
    private static void MakeBatchSymbolic(GraphProto graph)
    {
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var info in graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output).Concat(graph.ValueInfo))
        {
            var dims = info.Type?.TensorType?.Shape?.Dim;
            if (dims is { Count: > 1 } && dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue == 1)
            {
                dims[0] = new TensorShapeProto.Types.Dimension { DimParam = BatchAxis };
            }
        }
    }
}
