using Google.Protobuf;
using Onnx;

namespace Pipeline.Models;

/// <summary>Parses an ONNX file's bytes; a file that is not an ONNX protobuf fails naming the file.</summary>
internal static class OnnxModelFile
{
    /// <exception cref="ModelZooException">The bytes are not an ONNX model.</exception>
    public static ModelProto Parse(byte[] bytes, string path)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelZooException($"'{path}' is not an ONNX model ({e.Message}).", e);
        }
    }

    /// <summary>Parses the file at <paramref name="path"/> from a stream, without a copy of its bytes.</summary>
    /// <exception cref="ModelZooException">The file is not an ONNX model.</exception>
    public static ModelProto Read(string path)
    {
        using var file = File.OpenRead(path);
        try
        {
            return ModelProto.Parser.ParseFrom(file);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ModelZooException($"'{path}' is not an ONNX model ({e.Message}).", e);
        }
    }
}
