using System.Text;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.Sources;
using Pipeline.Tests.Decoding;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// One featurization run, shared by the tests that inspect its output: ten good PNGs in three
/// classes plus the four files a decoder must reject (truncated PNG, empty file, text named .jpg,
/// a PNG header declaring 100000×100000 pixels), featurized by <see cref="FeaturizationJob"/>.
/// </summary>
public sealed class MixedFolderStoreFixture : IAsyncLifetime
{
    public const int GoodCount = 10;

    private readonly TempFolder _input = new();
    private readonly TempFolder _output = new();

    public string Output => _output.Path;

    /// <summary>Good images: full path → label.</summary>
    public IReadOnlyDictionary<string, string> Good { get; private set; } = new Dictionary<string, string>();

    /// <summary>Bad files: full path → (stage, a phrase of the reason).</summary>
    public IReadOnlyDictionary<string, (string Stage, string Reason)> Bad { get; private set; } = new Dictionary<string, (string, string)>();

    public ClassList Classes { get; private set; } = null!;

    public FeaturizationSummary Summary { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Good = GeneratedImages.WriteFolder(_input.Path, GoodCount, "cat", "dog", "eel");
        var png = GeneratedImages.Png(100);
        Bad = new Dictionary<string, (string, string)>
        {
            [_input.Write("cat/truncated.png", png[..(png.Length / 2)])] = (RejectStages.Decode, "truncated"),
            [_input.Write("dog/empty.png", [])] = (RejectStages.Decode, "empty (0 bytes)"),
            [_input.Write("eel/text.jpg", Encoding.UTF8.GetBytes("not a JPEG, only words"))] = (RejectStages.Decode, "not a recognised image format"),
            [_input.Write("cat/bomb.png", PngBytes.WithDeclaredSize(100_000, 100_000))] = (RejectStages.Limits, "100000×100000"),
        };
        var source = await ImageSourceFactory.OpenAsync(_input.Path);
        Classes = source.Classes;
        Summary = await TestFeaturization.RunAsync(source, _output.Path);
    }

    public Task DisposeAsync()
    {
        _input.Dispose();
        _output.Dispose();
        return Task.CompletedTask;
    }
}
