using System.Text.Json;
using Google.Protobuf;
using Onnx;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Preprocessing;

namespace Pipeline.Export;

/// <summary>
/// Writes a trained classifier as ONE self-contained ONNX model: the zoo model's featurizer graph
/// followed by the linear head and a softmax, so it can be served by any ONNX runtime without this
/// application. Input: the model's preprocessed image tensor (see <see cref="TensorPreprocessor"/>),
/// dynamic batch; output <see cref="ProbabilitiesOutput"/> [N, K].
/// </summary>
internal static class OnnxClassifierExporter
{
    /// <summary>Name of the exported model's output.</summary>
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>metadata_props key holding the class names as a JSON array, in output column order.</summary>
    public const string ClassesKey = "pipeline.classes";

    /// <summary>metadata_props key holding <see cref="TensorPreprocessor.Describe(ModelSpec)"/>: what the caller must do to pixels.</summary>
    public const string PreprocessingKey = "pipeline.preprocessing";

    /// <summary>metadata_props key holding the layers concatenated, when the classifier was trained on several (<c>stage1,stage4</c>).</summary>
    public const string LayersKey = "pipeline.layers";

    /// <summary>metadata_props key holding the zoo model name.</summary>
    public const string ModelKey = "pipeline.model";

    private const int FloatType = (int)TensorProto.Types.DataType.Float;

    /// <param name="spec">The zoo model the classifier was trained on (its pooling decides D).</param>
    /// <param name="onnxPath">That model's ONNX file.</param>
    /// <param name="coefficients">K×D row-major, as Spark's coefficientMatrix.</param>
    /// <param name="intercepts">K intercepts.</param>
    /// <param name="classNames">K names, in label-index order.</param>
    /// <returns>The serialised ModelProto.</returns>
    public static byte[] Export(ModelSpec spec, string onnxPath, float[] coefficients, float[] intercepts, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(coefficients);
        ArgumentNullException.ThrowIfNull(intercepts);
        ArgumentNullException.ThrowIfNull(classNames);
        var d = spec.FeatureDimension;
        var k = classNames.Count;
        if (k < 2)
        {
            throw new ArgumentException($"A classifier needs at least 2 classes, got {k}.", nameof(classNames));
        }

        if (intercepts.Length != k)
        {
            throw new ArgumentException($"intercepts has {intercepts.Length} values for {k} classes.", nameof(intercepts));
        }

        if (coefficients.Length != (long)k * d)
        {
            throw new ArgumentException($"coefficients has {coefficients.Length} values; {k} classes × {d} features (model '{spec.Name}') need {(long)k * d}.", nameof(coefficients));
        }

        var model = OnnxModelFile.Parse(File.ReadAllBytes(onnxPath), onnxPath);
        OnnxGraphEditor.ToFeaturizer(model, spec, onnxPath);
        var graph = model.Graph;

        // MatMul wants [N,D]·[D,K]; the coefficients arrive K×D, so store the transpose.
        var transposed = new float[coefficients.Length];
        for (var row = 0; row < k; row++)
        {
            for (var col = 0; col < d; col++)
            {
                transposed[col * k + row] = coefficients[row * d + col];
            }
        }

        var weights = Tensor("pipeline_classifier_weights", transposed, d, k);
        var bias = Tensor("pipeline_classifier_intercepts", intercepts, k);
        graph.Initializer.Add(weights);
        graph.Initializer.Add(bias);
        if (model.IrVersion < 4)
        {
            // Before IR 4 every initializer must also be declared as a graph input (the bundled ResNet18 is IR 3).
            graph.Input.Add(TensorInfo(weights.Name, d, k));
            graph.Input.Add(TensorInfo(bias.Name, k));
        }

        graph.Node.Add(OnnxGraphEditor.Node("MatMul", "pipeline_classifier_matmul", [OnnxGraphEditor.FeatureOutput, weights.Name], "pipeline_classifier_linear"));
        graph.Node.Add(OnnxGraphEditor.Node("Add", "pipeline_classifier_add", ["pipeline_classifier_linear", bias.Name], "pipeline_classifier_logits"));
        // On a 2-D input Softmax over axis 1 means the same before and after opset 13's redefinition.
        graph.Node.Add(OnnxGraphEditor.Node("Softmax", "pipeline_classifier_softmax", ["pipeline_classifier_logits"], ProbabilitiesOutput, ("axis", 1L)));
        graph.Output.Clear();
        graph.Output.Add(TensorInfo(ProbabilitiesOutput, -1, k));

        model.MetadataProps.Add(new StringStringEntryProto { Key = ClassesKey, Value = JsonSerializer.Serialize(classNames) });
        model.MetadataProps.Add(new StringStringEntryProto { Key = ModelKey, Value = spec.Name });
        model.MetadataProps.Add(new StringStringEntryProto { Key = PreprocessingKey, Value = TensorPreprocessor.Describe(spec) });
        if (spec.Layers.Count > 0)
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = LayersKey, Value = spec.LayerNames });
        }
        model.ProducerName = "pipeline";
        return model.ToByteArray();
    }

    private static TensorProto Tensor(string name, float[] values, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = FloatType };
        tensor.Dims.Add(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        // raw_data is little-endian by the ONNX spec; every platform .NET runs ORT on is too.
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        tensor.RawData = ByteString.CopyFrom(bytes);
        return tensor;
    }

    /// <summary>A float tensor ValueInfo; a dimension of −1 is the symbolic batch axis N.</summary>
    private static ValueInfoProto TensorInfo(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim < 0 ? new TensorShapeProto.Types.Dimension { DimParam = OnnxGraphEditor.BatchAxis } : new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = FloatType, Shape = shape } },
        };
    }
}
