using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// An endless source for stream tests: the test writes an image file and lands it, and the source
/// yields it, stamped from the file as a folder source would, until the run is stopped.
/// </summary>
internal sealed class LandingSource(params string[] labels) : ILabelledImageSource
{
    private readonly Channel<LabelledImage> _landed = Channel.CreateUnbounded<LabelledImage>();
    private readonly TaskCompletionSource _reading = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _ordinal;

    public string Description => "a landing channel";

    public ClassList Classes { get; } = ClassList.FromLabels(labels);

    public bool IsEndless => true;

    /// <summary>Completes when the run first asks for an image: the model is loaded and the store open.</summary>
    public Task Reading => _reading.Task;

    /// <summary>Writes generated image <paramref name="seed"/> to <c>root/label/name</c> and lands it; returns its path.</summary>
    public string Land(string root, string label, int seed)
    {
        var path = Path.Combine(root, label, $"img-{seed:D3}.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, GeneratedImages.Png(seed));
        Land(path, label);
        return path;
    }

    /// <summary>Lands the file already at <paramref name="path"/>.</summary>
    public void Land(string path, string label)
    {
        var (bytes, modified) = FileStamp.Of(new FileInfo(path));
        _landed.Writer.TryWrite(new LabelledImage(_ordinal++, path, label, Classes.IndexOf(label))
        {
            FileBytes = bytes,
            FileModifiedUnixMs = modified,
        });
    }

    public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _reading.TrySetResult();
        while (true)
        {
            yield return await _landed.Reader.ReadAsync(cancellationToken);
        }
    }
}
