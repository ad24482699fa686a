using Pipeline.Settings;
using Pipeline.Training;
using Pipeline.Inference;
using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.IO;
using Pipeline.Models;
using Pipeline.Sources;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.PipelineFiles;

/// <summary>
/// Reads and validates a pipeline file in one pass, before any work starts: every error (YAML syntax,
/// unknown key, wrong type, missing value, out-of-range number, missing input, output outside the
/// output root, and what a stage would refuse only later: an unknown model, a manifest of no known
/// format, prediction inputs the predict stage cannot take) is reported with <c>file:line:column</c>
/// and its key path.
/// </summary>
public static class PipelineFileLoader
{
    /// <summary>Largest pipeline file read; a larger one is not a pipeline description.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    private static readonly string[] TopLevelKeys =
    [
        "name", "source", "testSource", "model",
        SettingCatalog.Featurize.Section.Key, SettingCatalog.Limits.Section.Key, SettingCatalog.Stream.Section.Key, SettingCatalog.Split.Section.Key,
        SettingCatalog.Train.Section.Key, SettingCatalog.Grid.Section.Key, SettingCatalog.Evaluate.Section.Key,
        "predict", "output",
    ];

    private static readonly string[] SourceKeys = ["kind", .. SourceKinds.All.SelectMany(k => k.Fields).Select(f => f.Key).Distinct()];
    private static readonly string[] ModelKeys = ["name", "prefer", SettingCatalog.Model.Layers.Key!, SettingCatalog.Model.Pooling.Key!, SettingCatalog.Model.Resize.Key!];
    private static readonly string[] PredictKeys = ["inputs", "model"];

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

        // Before the open: a FIFO would block it until a writer comes (a worker's slot for good), and a
        // device such as /dev/zero reads without end, past MaxFileBytes, as its length says 0.
        if (FileKind.DescribeIfNotRegular(path) is { } kind)
        {
            return Failure(display, $"a {kind}, not a regular file; a pipeline file must be one");
        }

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
        var stream = YamlDocumentReader.Load(yaml, diagnostics);
        if (stream is null)
        {
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
        var featurizeSection = root.Section(SettingCatalog.Featurize.Section);
        var featurize = ReadFeaturize(featurizeSection, defaults);
        var limits = ReadLimits(root.Section(SettingCatalog.Limits.Section), defaults.Limits);
        var stream = ReadStream(root.Section(SettingCatalog.Stream.Section));

        SplitSettings? split = null;
        if (root.Has(SettingCatalog.Split.Section.Key) && root.Has("testSource"))
        {
            root.ErrorAtKey("testSource", "give either split or testSource, not both");
        }
        else if (!root.Has("testSource"))
        {
            split = ReadSplit(root.Section(SettingCatalog.Split.Section));
        }

        var train = ReadTrain(root.Section(SettingCatalog.Train.Section));
        var grid = root.Has(SettingCatalog.Grid.Section.Key) ? ReadGrid(root.Section(SettingCatalog.Grid.Section), train) : null;
        var evaluate = root.Section(SettingCatalog.Evaluate.Section).Read(SettingCatalog.Evaluate.Enabled) ?? SettingCatalog.Evaluate.Enabled.Default;
        var endless = source is not null && SourceKinds.Of(source).IsEndless;
        if (endless && featurize.Precision == FeaturePrecision.Int8)
        {
            featurizeSection.Error(SettingCatalog.Featurize.Precision.Key!, "int8 calibrates on the source's first images, which a stream (a watch source) does not have up front; featurize a stream in fp32");
        }

        var predict = root.Has("predict") ? ReadPredict(root.Section("predict", PredictKeys), defaults, source is null ? null : endless) : null;
        var output = root.String("output", required: true);
        var outputPath = output is null ? null : ResolveOutput(root, output, defaults);

        return new PipelineDefinition
        {
            Name = name,
            Source = source ?? new FolderSourceDefinition(""),
            TestSource = testSource,
            Model = model ?? new ModelChoice("", []),
            Featurize = featurize,
            Limits = limits,
            Stream = stream,
            Split = split,
            Train = train,
            Grid = grid,
            Evaluate = evaluate,
            Predict = predict,
            Output = output ?? "",
            OutputPath = outputPath ?? "",
        };
    }

    /// <summary>
    /// A source, read generically from the keys its kind declares: each must be given, pass its
    /// field's check and exist, and a key of another kind is refused with the keys this kind takes.
    /// </summary>
    private static SourceDefinition? ReadSource(YamlSection parent, string key, bool required, RunDefaults defaults)
    {
        if (!parent.Has(key))
        {
            if (required)
            {
                parent.ErrorAtKey(key, $"missing required value; expected {SourceShape()}");
            }

            return null;
        }

        var section = parent.Section(key, SourceKeys);
        var kind = ReadKind(section);
        if (kind is null)
        {
            return null;
        }

        RejectKeys(section, kind);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in kind.Fields)
        {
            if (FieldValue(section, field, defaults) is { } value)
            {
                values[field.Key] = value;
            }
        }

        return values.Count == kind.Fields.Count ? kind.Create(values) : null;
    }

    /// <summary>What a source holds, for the message when none is given: the first kind's keys, then those of each kind that takes others.</summary>
    private static string SourceShape()
    {
        var first = KeyList(SourceKinds.All[0]);
        var others = SourceKinds.All.Select(KeyList).Distinct().Skip(1).ToArray();
        return $"a mapping with kind and {first}" + (others.Length == 0 ? "" : $" (or {string.Join(", or ", others.Select(keys => $"{keys} for {KindsTaking(keys)}"))})");
    }

    /// <summary>The kind named in <c>kind</c>, in any case as enum choices are read; null (reported) when missing or unknown.</summary>
    private static ISourceKind? ReadKind(YamlSection section)
    {
        var names = string.Join(", ", SourceKinds.All.Select(k => k.Name));
        var node = section.Value("kind");
        if (node is null)
        {
            section.ErrorAtKey("kind", $"missing required value; expected one of {names}");
            return null;
        }

        var text = (node as YamlScalarNode)?.Value?.Trim();
        var kind = SourceKinds.All.FirstOrDefault(k => k.Name.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (kind is null)
        {
            var nearest = text is null ? null : NearestName.Find(text, [.. SourceKinds.All.Select(k => k.Name)]);
            section.Error("kind", $"expected one of {names}, got {YamlSection.Describe(node)}" + (nearest is null ? "" : $"; did you mean '{nearest}'?"));
        }

        return kind;
    }

    /// <summary>A key of other kinds only: one that a single kind takes is named as that kind's.</summary>
    private static void RejectKeys(YamlSection section, ISourceKind kind)
    {
        foreach (var key in SourceKeys.Skip(1).Where(k => section.Has(k) && !kind.Fields.Any(f => f.Key == k)))
        {
            var owners = SourceKinds.All.Where(k => k.Fields.Any(f => f.Key == key)).ToArray();
            section.ErrorAtKey(key, owners.Length == 1
                ? $"applies only to kind {owners[0].Name}; kind {kind.Name} takes {KeyList(kind)}"
                : $"does not apply to kind {kind.Name}; give {KeyList(kind)}");
        }
    }

    private static string KeyList(ISourceKind kind) => string.Join(" and ", kind.Fields.Select(f => f.Key));

    private static string KindsTaking(string keyList) => string.Join(" or ", SourceKinds.All.Where(k => KeyList(k) == keyList).Select(k => k.Name));

    /// <summary>A field's path, absolute; a wrong extension is refused before the file is looked for, and named as the kind calls it.</summary>
    private static string? FieldValue(YamlSection section, SourceField field, RunDefaults defaults)
    {
        var text = section.String(field.Key, required: true);
        if (text is null)
        {
            return null;
        }

        if (field.TextError(text) is { } error)
        {
            section.Error(field.Key, error);
            return null;
        }

        var kind = field.Kind == SourceFieldKind.Folder ? PathKind.Directory : PathKind.File;
        return CheckExists(section, text, defaults, kind, section.ValueMark(field.Key), section.KeyPath(field.Key));
    }

    private enum PathKind
    {
        File,
        Directory,
        FileOrDirectory,
    }

    private static string? CheckExists(YamlSection section, string text, RunDefaults defaults, PathKind kind, Mark at, string keyPath)
    {
        if (ImpossiblePathError(text) is { } impossible)
        {
            section.ReportAt(at, keyPath, impossible);
            return null;
        }

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
        var known = KnownModels(section);
        if (known is not null)
        {
            if (name is not null)
            {
                CheckKnownModel(section, section.ValueMark("name"), section.KeyPath("name"), name, known);
            }

            var items = Items(section, "prefer");
            for (var i = 0; i < prefer.Count; i++)
            {
                CheckKnownModel(section, items[i].Start, $"{section.KeyPath("prefer")}[{i}]", prefer[i], known);
            }
        }

        var layersKey = SettingCatalog.Model.Layers.Key!;
        var poolingKey = SettingCatalog.Model.Pooling.Key!;
        var layers = section.StringList(layersKey) ?? [];
        FeaturePooling? pooling = null;
        if (section.String(poolingKey) is { Length: > 0 } poolingText)
        {
            if (ModelZoo.TryParsePooling(poolingText, out var parsed))
            {
                pooling = parsed;
            }
            else
            {
                section.Error(poolingKey, $"'{poolingText}' is not a pooling; allowed: {string.Join(", ", ModelZoo.PoolingNames)}");
            }
        }

        var resizeKey = SettingCatalog.Model.Resize.Key!;
        ResizeMode? resize = null;
        if (section.String(resizeKey) is { Length: > 0 } resizeText)
        {
            if (ModelZoo.TryParseResize(resizeText, out var parsed))
            {
                resize = parsed;
            }
            else
            {
                section.Error(resizeKey, $"'{resizeText}' is not a resize policy; allowed: {string.Join(", ", ModelZoo.ResizeNames)}");
            }
        }

        var choice = name is null ? null : new ModelChoice(name, prefer) { Layers = layers, Pooling = pooling, Resize = resize };
        if (choice is not null && (layers.Count > 0 || pooling is not null))
        {
            if (prefer.Count > 0)
            {
                // Layers and pooling are checked against one zoo entry: a preferred model would not have its nodes.
                section.ErrorAtKey(layers.Count > 0 ? layersKey : poolingKey, $"{(layers.Count > 0 ? layersKey : poolingKey)} apply to model.name; a preferred model would not have its nodes, so give them without prefer");
            }
            else if (known is not null && known.Contains(choice.Name, StringComparer.OrdinalIgnoreCase))
            {
                try
                {
                    choice.Apply(ModelZoo.LoadDefault().Get(choice.Name));
                }
                catch (ModelZooException e)
                {
                    section.Error(layers.Count > 0 ? layersKey : poolingKey, e.Message);
                }
            }
        }

        return choice;
    }

    /// <summary>The zoo's model names, which the run resolves the file's names against; null (reported) when the zoo cannot be read.</summary>
    private static string[]? KnownModels(YamlSection section)
    {
        try
        {
            return [.. ModelZoo.LoadDefault().Models.Select(m => m.Name)];
        }
        catch (ModelZooException e)
        {
            section.Error("name", $"cannot check the model against the zoo: {e.Message}");
            return null;
        }
    }

    private static void CheckKnownModel(YamlSection section, Mark at, string keyPath, string name, string[] known)
    {
        if (known.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            return;
        }

        var nearest = NearestName.Find(name, known);
        section.ReportAt(at, keyPath, nearest is null
            ? $"unknown model '{name}'; the zoo knows {string.Join(", ", known)}"
            : $"unknown model '{name}'; did you mean '{nearest}'?");
    }

    /// <summary>The nodes of a list value (a single value is a list of one), for positions of its items.</summary>
    private static IReadOnlyList<YamlNode> Items(YamlSection section, string key) => section.Value(key) switch
    {
        YamlSequenceNode sequence => [.. sequence.Children],
        { } node => [node],
        null => [],
    };

    private static FeaturizeSettings ReadFeaturize(YamlSection section, RunDefaults defaults) => new()
    {
        BatchSize = section.Read(SettingCatalog.Featurize.BatchSize) ?? defaults.BatchSize,
        Parallelism = section.Read(SettingCatalog.Featurize.Parallelism) ?? defaults.Parallelism,
        Device = section.Read<InferenceDevice>(SettingCatalog.Featurize.Device) ?? defaults.Device,
        Precision = section.Read<FeaturePrecision>(SettingCatalog.Featurize.Precision) ?? SettingCatalog.Featurize.Precision.DefaultAs<FeaturePrecision>(),
        CalibrationImages = section.Read(SettingCatalog.Featurize.CalibrationImages) ?? SettingCatalog.Featurize.CalibrationImages.Default,
        RowsPerPart = section.Read(SettingCatalog.Featurize.RowsPerPart) ?? SettingCatalog.Featurize.RowsPerPart.Default,
        PartSeconds = section.Read(SettingCatalog.Featurize.PartSeconds) ?? SettingCatalog.Featurize.PartSeconds.Default,
        Arrow = section.Read(SettingCatalog.Featurize.Arrow) ?? SettingCatalog.Featurize.Arrow.Default,
        Shard = ReadShard(section),
        ShardCount = section.Read(SettingCatalog.Featurize.ShardCount) ?? SettingCatalog.Featurize.ShardCount.Default,
    };

    /// <summary><c>featurize.shard</c>: none, auto or i/N, checked now; auto reads the environment only when the run starts.</summary>
    private static string ReadShard(YamlSection section)
    {
        var key = SettingCatalog.Featurize.Shard.Key!;
        if (section.String(key) is not { } text)
        {
            return SettingCatalog.Featurize.Shard.Default;
        }

        var trimmed = text.Trim();
        if (string.Equals(trimmed, ShardSelection.None, StringComparison.OrdinalIgnoreCase) || string.Equals(trimmed, ShardSelection.Auto, StringComparison.OrdinalIgnoreCase))
        {
            return trimmed.ToLowerInvariant();
        }

        try
        {
            return Shard.Parse(trimmed).ToString();
        }
        catch (FormatException e)
        {
            section.Error(key, e.Message);
            return SettingCatalog.Featurize.Shard.Default;
        }
    }

    private static DecodeLimits ReadLimits(YamlSection section, DecodeLimits defaults) => new()
    {
        MaxFileBytes = section.Read(SettingCatalog.Limits.MaxFileBytes) ?? defaults.MaxFileBytes,
        MaxPixels = section.Read(SettingCatalog.Limits.MaxPixels) ?? defaults.MaxPixels,
        MaxDecodeTime = section.Read(SettingCatalog.Limits.MaxDecodeSeconds) is { } seconds
            ? TimeSpan.FromSeconds(seconds)
            : defaults.MaxDecodeTime,
    };

    private static StreamSettings ReadStream(YamlSection section) => new()
    {
        MaxDelaySeconds = section.Read(SettingCatalog.Stream.MaxDelaySeconds) ?? SettingCatalog.Stream.MaxDelaySeconds.Default,
        After = section.Read<LandedFileAction>(SettingCatalog.Stream.After) ?? SettingCatalog.Stream.After.DefaultAs<LandedFileAction>(),
        SettleSeconds = section.Read(SettingCatalog.Stream.SettleSeconds) ?? SettingCatalog.Stream.SettleSeconds.Default,
        RescanSeconds = section.Read(SettingCatalog.Stream.RescanSeconds) ?? SettingCatalog.Stream.RescanSeconds.Default,
        CompactGraceSeconds = section.Read(SettingCatalog.Stream.CompactGraceSeconds) ?? SettingCatalog.Stream.CompactGraceSeconds.Default,
    };

    private static SplitSettings ReadSplit(YamlSection section) => new(
        section.Read(SettingCatalog.Split.TestFraction) ?? SettingCatalog.Split.TestFraction.Default,
        section.Read(SettingCatalog.Split.Seed) ?? SettingCatalog.Split.Seed.Default,
        section.Read(SettingCatalog.Split.Stratify) ?? SettingCatalog.Split.Stratify.Default);

    /// <summary>Values out of range are reported with their position and replaced by Spark's defaults, so the options' own guards never fire here.</summary>
    private static LogisticRegressionOptions ReadTrain(YamlSection section) => new()
    {
        MaxIter = section.Read(SettingCatalog.Train.MaxIter) ?? SettingCatalog.Train.MaxIter.Default,
        RegParam = section.Read(SettingCatalog.Train.RegParam) ?? SettingCatalog.Train.RegParam.Default,
        ElasticNetParam = section.Read(SettingCatalog.Train.ElasticNetParam) ?? SettingCatalog.Train.ElasticNetParam.Default,
        Tol = section.Read(SettingCatalog.Train.Tol) ?? SettingCatalog.Train.Tol.Default,
        Standardization = section.Read(SettingCatalog.Train.Standardization) ?? SettingCatalog.Train.Standardization.Default,
        FitIntercept = section.Read(SettingCatalog.Train.FitIntercept) ?? SettingCatalog.Train.FitIntercept.Default,
    };

    private static GridSettings ReadGrid(YamlSection section, LogisticRegressionOptions train) => new(
        section.Read(SettingCatalog.Grid.RegParam) ?? [train.RegParam],
        section.Read(SettingCatalog.Grid.ElasticNetParam) ?? [train.ElasticNetParam],
        section.Read(SettingCatalog.Grid.Folds) ?? SettingCatalog.Grid.Folds.Default,
        section.Read<SelectionMetricKind>(SettingCatalog.Grid.Metric) ?? SettingCatalog.Grid.Metric.DefaultAs<SelectionMetricKind>(),
        section.Read(SettingCatalog.Grid.Seed) ?? SettingCatalog.Grid.Seed.Default)
    {
        Standardization = section.Read(SettingCatalog.Grid.Standardization) ?? [train.Standardization],
    };

    /// <param name="section">The <c>predict</c> mapping.</param>
    /// <param name="defaults">Where relative paths start.</param>
    /// <param name="endless">Whether the source is a stream; null when the source was refused, and then neither combination is.</param>
    private static PredictSettings? ReadPredict(YamlSection section, RunDefaults defaults, bool? endless)
    {
        if (section.Has("model"))
        {
            return ReadStreamPredict(section, defaults, endless);
        }

        if (endless == true && section.Has("inputs"))
        {
            section.ErrorAtKey("inputs", "a stream trains no model to predict inputs with after training; give predict.model, a model folder, to classify each landed image as it comes");
            return null;
        }

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

        var items = Items(section, "inputs");
        var resolved = new List<string>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            var keyPath = $"{section.KeyPath("inputs")}[{i}]";
            var path = CheckExists(section, inputs[i], defaults, PathKind.FileOrDirectory, items[i].Start, keyPath);
            if (path is not null && PredictInputError(path, inputs.Count) is { } error)
            {
                section.ReportAt(items[i].Start, keyPath, $"'{inputs[i]}' {error}");
            }
            else if (path is not null)
            {
                resolved.Add(path);
            }
        }

        return resolved.Count == inputs.Count ? new PredictSettings(resolved) : null;
    }

    /// <summary><c>predict.model</c>: online predictions of a stream, from a model folder that holds <c>model.json</c>.</summary>
    private static PredictSettings? ReadStreamPredict(YamlSection section, RunDefaults defaults, bool? endless)
    {
        if (section.Has("inputs"))
        {
            section.ErrorAtKey("inputs", "give either inputs (a batch run predicts them after training) or model (a stream classifies each landed image with it), not both");
            return null;
        }

        var text = section.String("model", required: true);
        if (text is null)
        {
            return null;
        }

        var folder = CheckExists(section, text, defaults, PathKind.Directory, section.ValueMark("model"), section.KeyPath("model"));
        if (folder is null)
        {
            return null;
        }

        if (!File.Exists(Path.Combine(folder, ClassifierModel.ModelFileName)))
        {
            section.Error("model", $"folder '{text}' holds no {ClassifierModel.ModelFileName} (resolved to '{folder}'); give a model folder written by training");
            return null;
        }

        if (endless == false)
        {
            section.ErrorAtKey("model", "applies only to a stream (a source that never ends); a batch run predicts predict.inputs with the model it trains, and `pipeline predict --model` classifies images with a saved one");
            return null;
        }

        return new PredictSettings([]) { Model = folder };
    }

    /// <summary>
    /// What the predict stage (<c>PredictionInput</c>) would refuse in an existing input, after
    /// training: several inputs must all be image files; one input may also be a folder or a manifest.
    /// </summary>
    private static string? PredictInputError(string path, int inputCount)
    {
        if (ImageFileExtensions.IsImage(path) && File.Exists(path))
        {
            return null;
        }

        if (inputCount > 1)
        {
            return $"is {(Directory.Exists(path) ? "a folder" : "not an image file")}; several inputs must all be image files: give one folder or manifest alone, or image files only";
        }

        if (Directory.Exists(path))
        {
            return ImageFilesSource.HasImagesAtTopLevel(path) || HasLabelledImages(path)
                ? null
                : "is a folder without image files, at its top level or in label subfolders";
        }

        return ManifestSourceKind.IsManifest(path)
            ? null
            : "is neither an image file, a folder, nor a .csv or .parquet manifest";
    }

    /// <summary>Whether the folder source the predict stage would open finds a label folder with an image; the walk stops at the first one.</summary>
    private static bool HasLabelledImages(string folder)
    {
        try
        {
            _ = new FolderImageSource(folder);
            return true;
        }
        catch (SourceException)
        {
            return false;
        }
    }

    private static string? ResolveOutput(YamlSection root, string output, RunDefaults defaults)
    {
        if (ImpossiblePathError(output) is { } impossible)
        {
            root.Error("output", impossible);
            return null;
        }

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

    /// <summary>
    /// Why no file can have this path (a NUL, which a quoted YAML value can hold), or null; checked
    /// before <see cref="Path.GetFullPath(string, string)"/>, whose exception names neither key nor file.
    /// </summary>
    private static string? ImpossiblePathError(string path)
    {
        var at = path.AsSpan().IndexOfAny(Path.GetInvalidPathChars());
        return at < 0 ? null : $"the path holds the character U+{(int)path[at]:X4}, which no file name can hold";
    }

    private static PipelineLoadResult Failure(string file, string message) =>
        new() { Errors = [new PipelineFileError(file, 1, 1, "", message)] };
}
