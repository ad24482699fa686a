using System.IO.Compression;
using System.Text;
using Pipeline.Sources;
using Pipeline.PipelineFiles;

namespace Pipeline.Fuzz;

/// <summary>
/// The readers of what a user hands the product besides images: pipeline files, CSV and Parquet
/// manifests, and IDX pairs. The first input byte picks the reader (see <see cref="LoadMode"/>), so
/// that one corpus and one afl-fuzz instance cover all of them.
/// </summary>
/// <remarks>
/// The promised outcomes pass: a <see cref="PipelineLoadResult"/> with errors, and a
/// <see cref="SourceException"/> naming the file. Any other exception escapes and is a crash.
/// Sources are opened and read to the end, because a manifest's rows and an IDX file's images are
/// only read when the source streams them.
/// </remarks>
internal sealed class LoadTarget : IFuzzTarget
{
    private readonly string _folder = ScratchFolder.Create();
    private readonly RunDefaults _defaults = new() { BaseDirectory = Directory.GetCurrentDirectory() };

    public string Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return "empty input";
        }

        var body = input[1..];
        switch (LoadModes.Of(input[0]))
        {
            case LoadMode.Pipeline:
                var result = PipelineFileLoader.Parse(Encoding.UTF8.GetString(body), "fuzz.yaml", _defaults);
                return result.IsValid ? "valid pipeline file" : string.Join(Environment.NewLine, result.Errors);
            case LoadMode.CsvManifest:
                return ReadSource(new ManifestSourceDefinition(Write("manifest.csv", body)));
            case LoadMode.ParquetManifest:
                return ReadSource(new ManifestSourceDefinition(Write("manifest.parquet", body)));
            case LoadMode.Idx or LoadMode.IdxGzip:
                // The second byte is the labels file's length; the images file is the rest.
                var gzip = LoadModes.Of(input[0]) == LoadMode.IdxGzip;
                var labelsLength = body.IsEmpty ? 0 : Math.Min(body[0], body.Length - 1);
                var labels = body.IsEmpty ? body : body.Slice(1, labelsLength);
                var images = body.IsEmpty ? body : body[(1 + labelsLength)..];
                var labelsFile = Write("labels.idx", gzip ? Gzip(labels) : labels);
                var imagesFile = Write("images.idx", gzip ? Gzip(images) : images);
                return ReadSource(new IdxSourceDefinition(imagesFile, labelsFile));
            default:
                throw new System.Diagnostics.UnreachableException();
        }
    }

    /// <remarks>
    /// SharpFuzz calls a synchronous action per input, hence the one blocking wait: nothing else
    /// runs in this process, so there is no context to deadlock on.
    /// </remarks>
    private static string ReadSource(SourceDefinition definition)
    {
        try
        {
            return ReadSourceAsync(definition).GetAwaiter().GetResult();
        }
        catch (SourceException e)
        {
            return e.Message;
        }
    }

    private static async Task<string> ReadSourceAsync(SourceDefinition definition)
    {
        var source = await ImageSourceFactory.OpenAsync(definition).ConfigureAwait(false);
        var count = 0;
        await foreach (var image in source.ReadAsync().ConfigureAwait(false))
        {
            if (image.LabelIndex < 0 || image.LabelIndex >= source.Classes.Names.Count)
            {
                throw new FuzzFindingException($"Image '{image.Path}' has label index {image.LabelIndex} outside the {source.Classes.Names.Count} classes.");
            }

            count++;
        }

        return $"{source.Description}: {count} images in {source.Classes.Names.Count} classes";
    }

    private string Write(string name, ReadOnlySpan<byte> content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Gzip(ReadOnlySpan<byte> content)
    {
        using var buffer = new MemoryStream();
        using (var zip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            zip.Write(content);
        }

        return buffer.ToArray();
    }
}
