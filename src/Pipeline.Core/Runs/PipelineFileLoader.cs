using Pipeline.Training;
using Pipeline.Inference;
using System.Text.RegularExpressions;
using Pipeline.Decoding;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Runs;

/// <summary>
/// Reads and validates a pipeline file in one pass, before any work starts: every error (YAML syntax,
/// unknown key, wrong type, missing value, out-of-range number, missing input, output outside the
/// output root) is reported with <c>file:line:column</c> and its key path.
/// </summary>
public static partial class PipelineFileLoader
{
    /// <summary>Largest pipeline file read; a larger one is not a pipeline description.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly string[] TopLevelKeys =
        ["name", "source", "testSource", "model", "featurize", "limits", "split", "train", "grid", "evaluate", "predict", "output"];

    private static readonly string[] SourceKeys = ["kind", "path", "images", "labels"];
    private static readonly string[] ModelKeys = ["name", "prefer"];
    private static readonly string[] FeaturizeKeys = ["batchSize", "parallelism", "device", "rowsPerPart", "partSeconds", "arrow"];
    private static readonly string[] LimitsKeys = ["maxFileBytes", "maxPixels"];
    private static readonly string[] SplitKeys = ["testFraction", "seed", "stratify"];
    private static readonly string[] TrainKeys = ["maxIter", "regParam", "elasticNetParam", "tol", "standardization", "fitIntercept"];
    private static readonly string[] GridKeys = ["regParam", "elasticNetParam", "folds", "metric", "seed"];
    private static readonly string[] EvaluateKeys = ["enabled"];
    private static readonly string[] PredictKeys = ["inputs"];

    private static readonly NumberRange Fraction = new(0, 1);
    private static readonly NumberRange AnyLong = new(long.MinValue, long.MaxValue);

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <param name="path">The pipeline file.</param>
    /// <param name="defaults">Service defaults, base directory and output root.</param>
    /// <param name="displayPath">How errors name the file (default <paramref name="path"/>), e.g. the inbox name of a claimed file.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public static async Task<PipelineLoadResult> LoadAsync(string path, RunDefaults defaults, string? displayPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(defaults);
        var display = displayPath ?? path;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return Failure(display, "file not found");
        }

        if (info.Length > MaxFileBytes)
        {
            return Failure(display, $"file is {info.Length} bytes; a pipeline file may have at most {MaxFileBytes}");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, display, defaults);
    }

    /// <summary>Validates pipeline YAML held in memory; <paramref name="displayPath"/> names it in errors.</summary>
    public static PipelineLoadResult Parse(string yaml, string displayPath, RunDefaults defaults)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(defaults);
        var diagnostics = new PipelineFileDiagnostics(displayPath);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            diagnostics.Add(e.Start, "", SyntaxMessage(e));
            return new PipelineLoadResult { Errors = diagnostics.Sorted() };
        }

        if (stream.Documents.Count == 0)
        {
            diagnostics.Add(Mark.Empty, "", "the file is empty; expected a mapping with at least source, model and output");
            return new PipelineLoadResult { Errors = diagnostics.Sorted() };
        }

        if (stream.Documents.Count > 1)
        {
            diagnostics.Add(stream.Documents[1].RootNode.Start, "", "expected one YAML document, found " + stream.Documents.Count);
        }

        var rootNode = stream.Documents[0].RootNode;
        var root = YamlSection.Create(diagnostics, "", rootNode.Start, rootNode, TopLevelKeys);
        var definition = Read(root, diagnostics, defaults);
        return diagnostics.HasErrors
            ? new PipelineLoadResult { Errors = diagnostics.Sorted() }
            : new PipelineLoadResult { Definition = definition };
    }

    private static PipelineDefinition Read(YamlSection root, PipelineFileDiagnostics diagnostics, RunDefaults defaults)
    {
        var name = root.String("name") ?? Path.GetFileNameWithoutExtension(diagnostics.File);
        var source = ReadSource(root, "source", required: true, defaults);
        var testSource = root.Has("testSource") ? ReadSource(root, "testSource", required: false, defaults) : null;
        var model = ReadModel(root.Section("model", ModelKeys));
        var featurize = ReadFeaturize(root.Section("featurize", FeaturizeKeys), defaults);
        var limits = ReadLimits(root.Section("limits", LimitsKeys), defaults.Limits);

        SplitSettings? split = null;
        if (root.Has("split") && root.Has("testSource"))
        {
            root.ErrorAtKey("testSource", "give either split or testSource, not both");
        }
        else if (!root.Has("testSource"))
        {
            split = ReadSplit(root.Section("split", SplitKeys));
        }

        var train = ReadTrain(root.Section("train", TrainKeys));
        var grid = root.Has("grid") ? ReadGrid(root.Section("grid", GridKeys), train) : null;
        var evaluate = root.Section("evaluate", EvaluateKeys).Boolean("enabled") ?? true;
        var predict = root.Has("predict") ? ReadPredict(root.Section("predict", PredictKeys), defaults) : null;
        var output = root.String("output", required: true);
        var outputPath = output is null ? null : ResolveOutput(root, output, defaults);

        return new PipelineDefinition
        {
            Name = name,
            Source = source ?? new SourceDefinition(SourceKind.Folder, ""),
            TestSource = testSource,
            Model = model ?? new ModelChoice("", []),
            Featurize = featurize,
            Limits = limits,
            Split = split,
            Train = train,
            Grid = grid,
            Evaluate = evaluate,
            Predict = predict,
            Output = output ?? "",
            OutputPath = outputPath ?? "",
        };
    }

    private static SourceDefinition? ReadSource(YamlSection parent, string key, bool required, RunDefaults defaults)
    {
        if (!parent.Has(key))
        {
            if (required)
            {
                parent.ErrorAtKey(key, "missing required value; expected a mapping with kind and path (or images and labels for idx)");
            }

            return null;
        }

        var section = parent.Section(key, SourceKeys);
        var kind = section.Choice<SourceKind>("kind", required: true);
        switch (kind)
        {
            case SourceKind.Folder or SourceKind.Manifest:
                RejectKeys(section, kind.Value, "images", "labels");
                var path = ExistingPath(section, "path", defaults, kind == SourceKind.Folder ? PathKind.Directory : PathKind.File);
                return path is null ? null : new SourceDefinition(kind.Value, path);
            case SourceKind.Idx:
                RejectKeys(section, kind.Value, "path");
                var images = ExistingPath(section, "images", defaults, PathKind.File);
                var labels = ExistingPath(section, "labels", defaults, PathKind.File);
                return images is null || labels is null ? null : new SourceDefinition(SourceKind.Idx, null, images, labels);
            default:
                return null;
        }
    }

    private static void RejectKeys(YamlSection section, SourceKind kind, params string[] keys)
    {
        foreach (var key in keys.Where(section.Has))
        {
            section.ErrorAtKey(key, kind == SourceKind.Idx
                ? "does not apply to kind idx; give images and labels"
                : $"applies only to kind idx; kind {YamlSection.CamelCase(kind.ToString())} takes path");
        }
    }

    private enum PathKind
    {
        File,
        Directory,
        FileOrDirectory,
    }

    private static string? ExistingPath(YamlSection section, string key, RunDefaults defaults, PathKind kind)
    {
        var text = section.String(key, required: true);
        return text is null ? null : CheckExists(section, text, defaults, kind, section.ValueMark(key), section.KeyPath(key));
    }

    private static string? CheckExists(YamlSection section, string text, RunDefaults defaults, PathKind kind, Mark at, string keyPath)
    {
        var full = Path.GetFullPath(text, defaults.BaseDirectory);
        var exists = kind switch
        {
            PathKind.File => File.Exists(full),
            PathKind.Directory => Directory.Exists(full),
            _ => File.Exists(full) || Directory.Exists(full),
        };
        if (exists)
        {
            return full;
        }

        var what = kind switch
        {
            PathKind.File => "file",
            PathKind.Directory => "folder",
            _ => "file or folder",
        };
        section.ReportAt(at, keyPath, $"{what} '{text}' not found (resolved to '{full}')");
        return null;
    }

    private static ModelChoice? ReadModel(YamlSection section)
    {
        var name = section.String("name", required: true);
        var prefer = section.StringList("prefer") ?? [];
        return name is null ? null : new ModelChoice(name, prefer);
    }

    private static FeaturizeSettings ReadFeaturize(YamlSection section, RunDefaults defaults) => new()
    {
        BatchSize = (int)(section.Integer("batchSize", new NumberRange(1, 4096)) ?? defaults.BatchSize),
        Parallelism = (int)(section.Integer("parallelism", new NumberRange(1, 256)) ?? defaults.Parallelism),
        Device = section.Choice<InferenceDevice>("device") ?? defaults.Device,
        RowsPerPart = (int)(section.Integer("rowsPerPart", new NumberRange(1, 10_000_000)) ?? FeaturizeSettings.DefaultRowsPerPart),
        PartSeconds = section.Number("partSeconds", new NumberRange(0.1, 3600)) ?? FeaturizeSettings.DefaultPartSeconds,
        Arrow = section.Boolean("arrow") ?? false,
    };

    private static DecodeLimits ReadLimits(YamlSection section, DecodeLimits defaults) => new()
    {
        MaxFileBytes = section.Integer("maxFileBytes", new NumberRange(1, long.MaxValue)) ?? defaults.MaxFileBytes,
        MaxPixels = section.Integer("maxPixels", new NumberRange(1, long.MaxValue)) ?? defaults.MaxPixels,
    };

    private static SplitSettings ReadSplit(YamlSection section)
    {
        var defaults = new SplitSettings();
        return new SplitSettings(
            section.Number("testFraction", Fraction with { MaxExclusive = true }) ?? defaults.TestFraction,
            section.Integer("seed", AnyLong) ?? defaults.Seed,
            section.Boolean("stratify") ?? defaults.Stratify);
    }

    /// <summary>Values out of range are reported with their position and replaced by Spark's defaults, so the options' own guards never fire here.</summary>
    private static LogisticRegressionOptions ReadTrain(YamlSection section)
    {
        var spark = LogisticRegressionOptions.Default;
        return new LogisticRegressionOptions
        {
            MaxIter = (int)(section.Integer("maxIter", new NumberRange(0, 1_000_000)) ?? spark.MaxIter),
            RegParam = section.Number("regParam", NumberRange.NonNegative) ?? spark.RegParam,
            ElasticNetParam = section.Number("elasticNetParam", Fraction) ?? spark.ElasticNetParam,
            Tol = section.Number("tol", NumberRange.NonNegative) ?? spark.Tol,
            Standardization = section.Boolean("standardization") ?? spark.Standardization,
            FitIntercept = section.Boolean("fitIntercept") ?? spark.FitIntercept,
        };
    }

    private static GridSettings ReadGrid(YamlSection section, LogisticRegressionOptions train)
    {
        var defaults = new GridSettings([], []);
        return new GridSettings(
            section.NumberList("regParam", NumberRange.NonNegative) ?? [train.RegParam],
            section.NumberList("elasticNetParam", Fraction) ?? [train.ElasticNetParam],
            (int)(section.Integer("folds", new NumberRange(2, 100)) ?? defaults.Folds),
            section.Choice<SelectionMetricKind>("metric") ?? defaults.Metric,
            section.Integer("seed", AnyLong) ?? defaults.Seed);
    }

    private static PredictSettings? ReadPredict(YamlSection section, RunDefaults defaults)
    {
        if (!section.Has("inputs"))
        {
            section.ErrorAtKey("inputs", "missing required value; expected a list of image files or folders");
            return null;
        }

        var inputs = section.StringList("inputs");
        if (inputs is null)
        {
            return null;
        }

        var node = section.Value("inputs");
        var items = node is YamlSequenceNode sequence ? sequence.Children : [node!];
        var resolved = new List<string>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var path = CheckExists(section, inputs[i], defaults, PathKind.FileOrDirectory, items[i].Start, $"{section.KeyPath("inputs")}[{i}]");
            if (path is not null)
            {
                resolved.Add(path);
            }
        }

        return resolved.Count == inputs.Count ? new PredictSettings(resolved) : null;
    }

    private static string? ResolveOutput(YamlSection root, string output, RunDefaults defaults)
    {
        var outputRoot = defaults.OutputRootFullPath;
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(output, outputRoot));
        var rootWithSeparator = Path.TrimEndingDirectorySeparator(outputRoot) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(rootWithSeparator, StringComparison.Ordinal))
        {
            root.Error("output", $"'{output}' resolves to '{full}', which is not inside the output root '{outputRoot}'; give a folder relative to the output root");
            return null;
        }

        return full;
    }

    private static PipelineLoadResult Failure(string file, string message) =>
        new() { Errors = [new PipelineFileError(file, 1, 1, "", message)] };

    /// <summary>YamlDotNet prefixes its messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is reported separately.</summary>
    private static string SyntaxMessage(YamlException e) =>
        "YAML syntax error: " + PositionPrefix().Replace(e.Message, "");

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();
}
