using System.Buffers.Binary;
using Onnx;

namespace Pipeline.Models;

/// <summary>Reads a float initializer (a constant tensor) out of an ONNX file.</summary>
internal static class OnnxInitializer
{
    private const int FloatDataType = (int)TensorProto.Types.DataType.Float;

    /// <summary>The tensor's values in row-major order and its dimensions.</summary>
    public static (float[] Values, long[] Dims) ReadFloats(string onnxPath, string tensorName)
    {
        var model = OnnxModelFile.Parse(File.ReadAllBytes(onnxPath), onnxPath);
        var tensor = model.Graph.Initializer.FirstOrDefault(t => t.Name == tensorName)
            ?? throw new ModelZooException($"'{onnxPath}' has no initializer named '{tensorName}'.");
        if (tensor.DataType != FloatDataType)
        {
            throw new ModelZooException($"Initializer '{tensorName}' in '{onnxPath}' is not float32 (data_type {tensor.DataType}).");
        }

        var dims = tensor.Dims.ToArray();
        var count = checked((int)dims.Aggregate(1L, (p, d) => p * d));
        float[] values;
        if (tensor.FloatData.Count > 0)
        {
            values = tensor.FloatData.ToArray();
        }
        else
        {
            // raw_data is little-endian by the ONNX spec, whatever the host.
            var raw = tensor.RawData.Span;
            values = new float[raw.Length / sizeof(float)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(i * sizeof(float)));
            }
        }

        if (values.Length != count)
        {
            throw new ModelZooException($"Initializer '{tensorName}' in '{onnxPath}' holds {values.Length} values for shape [{string.Join(",", dims)}].");
        }

        return (values, dims);
    }
}
