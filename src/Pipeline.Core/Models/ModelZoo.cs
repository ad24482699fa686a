using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Pipeline.Models;

/// <summary>
/// The models the featurizer knows, read from <c>config/models.yaml</c>. Spark's DeepImageFeaturizer
/// set (InceptionV3, Xception, ResNet50, VGG16, VGG19) plus the bundled ML.NET ResNet18. The ONNX
/// files (except the bundled one) are dropped by the user into the models directory.
/// </summary>
public sealed class ModelZoo
{
    /// <summary>The zoo's path relative to the working directory or the application directory.</summary>
    public const string RelativePath = "config/models.yaml";

    private readonly Dictionary<string, ModelSpec> _byName;

    private ModelZoo(string sourcePath, IReadOnlyList<ModelSpec> models)
    {
        SourcePath = sourcePath;
        Models = models;
        _byName = models.ToDictionary(m => m.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The YAML file the zoo was read from.</summary>
    public string SourcePath { get; }

    /// <summary>Entries in file order.</summary>
    public IReadOnlyList<ModelSpec> Models { get; }

    /// <summary>
    /// Loads <c>config/models.yaml</c> from the working directory or, failing that, from
    /// <see cref="AppContext.BaseDirectory"/> (the CLI copies <c>config/</c> into its output).
    /// </summary>
    public static ModelZoo LoadDefault()
    {
        var local = Path.GetFullPath(RelativePath);
        if (System.IO.File.Exists(local))
        {
            return Load(local);
        }

        var beside = Path.Combine(AppContext.BaseDirectory, RelativePath);
        if (System.IO.File.Exists(beside))
        {
            return Load(beside);
        }

        throw new ModelZooException($"Model zoo not found: neither '{local}' nor '{beside}' exists.");
    }

    /// <summary>Reads and validates a zoo file; errors name the file and the offending key.</summary>
    public static ModelZoo Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ModelZooException($"Cannot read model zoo '{path}': {e.Message}", e);
        }

        return Parse(text, path);
    }

    internal static ModelZoo Parse(string yaml, string sourcePath)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(CamelCaseNamingConvention.Instance)
            .Build();
        ZooDocument? document;
        try
        {
            document = deserializer.Deserialize<ZooDocument>(yaml);
        }
        catch (YamlException e)
        {
            var reason = e.InnerException?.Message ?? e.Message;
            throw new ModelZooException($"{sourcePath} line {e.Start.Line}: {reason}", e);
        }

        if (document?.Models is not { Count: > 0 } entries)
        {
            throw new ModelZooException($"{sourcePath}: key 'models' is missing or empty.");
        }

        var specs = entries.Select(kv => ToSpec(kv.Key, kv.Value ?? new ZooEntry(), sourcePath)).ToList();
        return new ModelZoo(sourcePath, specs);
    }

    /// <summary>The entry named <paramref name="name"/> (case-insensitive).</summary>
    public ModelSpec Get(string name) =>
        _byName.TryGetValue(name, out var spec)
            ? spec
            : throw new ModelZooException(
                $"Unknown model '{name}'; {SourcePath} knows: {string.Join(", ", Models.Select(m => m.Name))}.");

    /// <summary>
    /// Finds the entry and its files. Non-bundled files are looked up as
    /// <c>&lt;modelsDirectory&gt;/&lt;file&gt;</c>; bundled ones under <see cref="AppContext.BaseDirectory"/>.
    /// </summary>
    public ResolvedModel Resolve(string name, string modelsDirectory)
    {
        var spec = Get(name);
        var onnxPath = FilePath(spec, spec.File, modelsDirectory);
        if (!System.IO.File.Exists(onnxPath))
        {
            throw new ModelZooException(spec.Bundled
                ? $"Bundled model file for '{spec.Name}' is missing at '{onnxPath}'; {spec.HowToGet}"
                : $"Model file for '{spec.Name}' not found: put it at '{onnxPath}'. {spec.HowToGet}");
        }

        string? meanPath = null;
        if (spec.MeanImage is { } mean)
        {
            meanPath = FilePath(spec, mean.File, modelsDirectory);
            if (!System.IO.File.Exists(meanPath))
            {
                throw new ModelZooException($"Mean image file for '{spec.Name}' not found at '{meanPath}'; {spec.HowToGet}");
            }
        }

        return new ResolvedModel(spec, onnxPath, meanPath);
    }

    /// <summary>Every entry with the path its file is expected at and whether it is there.</summary>
    public IReadOnlyList<ModelListing> List(string modelsDirectory) =>
        Models.Select(spec =>
        {
            var path = FilePath(spec, spec.File, modelsDirectory);
            return new ModelListing(spec, path, System.IO.File.Exists(path));
        }).ToList();

    private static string FilePath(ModelSpec spec, string file, string modelsDirectory) =>
        Path.GetFullPath(Path.Combine(spec.Bundled ? AppContext.BaseDirectory : modelsDirectory, file));

    private static ModelSpec ToSpec(string name, ZooEntry e, string source)
    {
        string Key(string key) => $"{source}: models.{name}.{key}";
        string Required(string? value, string key) =>
            string.IsNullOrWhiteSpace(value) ? throw new ModelZooException($"{Key(key)} is required.") : value;
        T Choice<T>(string? value, string key, IReadOnlyDictionary<string, T> allowed)
        {
            Required(value, key);
            return allowed.TryGetValue(value!, out var parsed)
                ? parsed
                : throw new ModelZooException($"{Key(key)} is '{value}'; allowed: {string.Join(", ", allowed.Keys)}.");
        }

        var inputSize = e.InputSize is > 0 and <= 4096
            ? e.InputSize.Value
            : throw new ModelZooException($"{Key("inputSize")} must be an integer in 1..4096.");
        var normalization = Choice(e.Normalization, "normalization", Normalizations);
        MeanImageSource? meanImage = null;
        if (normalization == Pipeline.Models.Normalization.MeanImage)
        {
            if (e.MeanImage is null)
            {
                throw new ModelZooException($"{Key("meanImage")} is required when normalization is mean-image.");
            }

            meanImage = new MeanImageSource(Required(e.MeanImage.File, "meanImage.file"), Required(e.MeanImage.Tensor, "meanImage.tensor"));
        }
        else if (e.MeanImage is not null)
        {
            throw new ModelZooException($"{Key("meanImage")} is only allowed when normalization is mean-image.");
        }

        var resizeMode = Choice(e.Resize, "resize", ResizeModes);
        ResizeRule resize;
        if (resizeMode == ResizeMode.CenterCrop)
        {
            if (e.ShorterSide is not { } side || side < inputSize)
            {
                throw new ModelZooException($"{Key("shorterSide")} must be an integer ≥ inputSize ({inputSize}) for center-crop.");
            }

            resize = new ResizeRule(ResizeMode.CenterCrop, side);
        }
        else
        {
            resize = resizeMode == ResizeMode.Pad ? ResizeRule.Pad : ResizeRule.Stretch;
        }

        if (e.FeatureShape is not { Count: 1 or 3 } shape || shape.Any(d => d <= 0))
        {
            throw new ModelZooException($"{Key("featureShape")} must list 1 or 3 positive sizes (the node's shape without the batch axis).");
        }

        var layout = Choice(e.Layout, "layout", Layouts);
        var layers = new List<FeatureLayer>();
        foreach (var (layerName, layer) in e.Layers ?? [])
        {
            if (layer?.Shape is not { Count: 1 or 3 } layerShape || layerShape.Any(d => d <= 0))
            {
                throw new ModelZooException($"{Key($"layers.{layerName}.shape")} must list 1 or 3 positive sizes (the node's shape without the batch axis).");
            }

            layers.Add(new FeatureLayer(layerName, Required(layer.Node, $"layers.{layerName}.node"), layerShape.ToArray()));
        }

        var spec = new ModelSpec(
            name,
            Required(e.File, "file"),
            e.Bundled,
            Required(e.Input, "input"),
            inputSize,
            layout,
            Choice(e.ChannelOrder, "channelOrder", ChannelOrders),
            normalization,
            meanImage,
            resize,
            Required(e.FeatureNode, "featureNode"),
            shape.ToArray(),
            e.Pooling is null ? FeaturePooling.GlobalAverage : Choice(e.Pooling, "pooling", Poolings),
            Required(e.HowToGet, "howToGet").Trim())
        {
            AvailableLayers = layers,
        };
        try
        {
            spec.EnsurePoolingApplies();
        }
        catch (ModelZooException ex)
        {
            throw new ModelZooException($"{Key("pooling")}: {ex.Message}", ex);
        }

        return spec;
    }

    private static readonly Dictionary<string, TensorLayout> Layouts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["NCHW"] = TensorLayout.Nchw, ["NHWC"] = TensorLayout.Nhwc,
    };

    private static readonly Dictionary<string, ChannelOrder> ChannelOrders = new(StringComparer.OrdinalIgnoreCase)
    {
        ["RGB"] = ChannelOrder.Rgb, ["BGR"] = ChannelOrder.Bgr,
    };

    private static readonly Dictionary<string, Normalization> Normalizations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["tf"] = Pipeline.Models.Normalization.Tf,
        ["caffe"] = Pipeline.Models.Normalization.Caffe,
        ["torch"] = Pipeline.Models.Normalization.Torch,
        ["mean-image"] = Pipeline.Models.Normalization.MeanImage,
    };

    private static readonly Dictionary<string, ResizeMode> ResizeModes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["stretch"] = ResizeMode.Stretch, ["pad"] = ResizeMode.Pad, ["center-crop"] = ResizeMode.CenterCrop,
    };

    private static readonly Dictionary<string, FeaturePooling> Poolings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["global-average"] = FeaturePooling.GlobalAverage, ["none"] = FeaturePooling.None, ["spatial-pyramid"] = FeaturePooling.SpatialPyramid,
    };

    /// <summary>Canonical spellings used in the zoo file and in the preprocessing description (<c>TensorPreprocessor.Describe</c>).</summary>
    internal static string Spell(Normalization value) => Normalizations.First(kv => kv.Value == value).Key;

    internal static string Spell(FeaturePooling value) => Poolings.First(kv => kv.Value == value).Key;

    /// <summary>A pooling from its zoo spelling (<c>spatial-pyramid</c>), ignoring case.</summary>
    internal static bool TryParsePooling(string text, out FeaturePooling pooling) => Poolings.TryGetValue(text, out pooling);

    /// <summary>The zoo spellings of the poolings, for messages.</summary>
    internal static IEnumerable<string> PoolingNames => Poolings.Keys;

    internal static string Spell(ResizeMode value) => ResizeModes.First(kv => kv.Value == value).Key;

    /// <summary>A resize policy from its zoo spelling (<c>center-crop</c>), ignoring case.</summary>
    internal static bool TryParseResize(string text, out ResizeMode mode) => ResizeModes.TryGetValue(text, out mode);

    /// <summary>The zoo spellings of the resize policies, for messages.</summary>
    internal static IEnumerable<string> ResizeNames => ResizeModes.Keys;

    private sealed class ZooDocument
    {
        public Dictionary<string, ZooEntry?>? Models { get; set; }
    }

    private sealed class ZooEntry
    {
        public string? File { get; set; }
        public bool Bundled { get; set; }
        public string? Input { get; set; }
        public int? InputSize { get; set; }
        public string? Layout { get; set; }
        public string? ChannelOrder { get; set; }
        public string? Normalization { get; set; }
        public ZooMeanImage? MeanImage { get; set; }
        public string? Resize { get; set; }
        public int? ShorterSide { get; set; }
        public string? FeatureNode { get; set; }
        public List<int>? FeatureShape { get; set; }
        public string? Pooling { get; set; }
        public string? HowToGet { get; set; }
        public Dictionary<string, ZooLayer?>? Layers { get; set; }
    }

    private sealed class ZooLayer
    {
        public string? Node { get; set; }
        public List<int>? Shape { get; set; }
    }

    private sealed class ZooMeanImage
    {
        public string? File { get; set; }
        public string? Tensor { get; set; }
    }
}
