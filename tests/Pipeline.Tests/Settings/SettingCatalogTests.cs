using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Pipeline.Cli.Commands;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Featurization;
using Pipeline.Hosting;
using Pipeline.Inference;
using Pipeline.PipelineFiles;
using Pipeline.Settings;
using Pipeline.Sources;
using Pipeline.Tests.PipelineFiles;
using Pipeline.Tests.Runs;
using Pipeline.Training;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Tests.Settings;

/// <summary>
/// Every surface that takes a setting (a pipeline file and its resolved.yaml, the command line,
/// configuration, the options records) agrees with its one definition: same default, same range, same
/// keys. Each test walks the whole catalog, so a setting added to it is checked on every surface it names.
/// </summary>
public sealed class SettingCatalogTests : IDisposable
{
    /// <summary>The arguments each command requires, so that parsing reaches the option under test.</summary>
    private static readonly (Func<Command> Create, string[] Required)[] Commands =
    [
        (FeaturizeCommand.Create, ["-i", "images", "-o", "store"]),
        (TrainCommand.Create, ["-f", "store", "-o", "model"]),
        (PredictCommand.Create, ["-m", "model", "-i", "images", "-o", "p.parquet"]),
        (StoreCompactCommand.Create, ["store"]),
    ];

    private readonly TempFolder _dir = new();

    public SettingCatalogTests() => Directory.CreateDirectory(_dir.Combine("images"));

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void All_Names_AreUniqueOnEverySurface()
    {
        Assert.All(SettingCatalog.Sections, section => Assert.Equal(section.Keys.Distinct(), section.Keys));
        var options = SettingCatalog.All.Select(s => s.Option).OfType<string>().ToList();
        Assert.Equal(options.Distinct(), options);
        var service = SettingCatalog.All.Except(SettingCatalog.Worker.All).Except(SettingCatalog.Metrics.All).Select(s => s.ConfigurationKey).OfType<string>().ToList();
        Assert.Equal(service.Distinct(), service);
    }

    [Fact]
    public void All_NumberDefaults_LieInTheirRange() =>
        Assert.All(SettingCatalog.All.Where(s => RangeOf(s) is not null && s is not NumberListSetting), s => Assert.True(RangeOf(s)!.Value.Contains(Convert.ToDouble(s.DefaultValue, CultureInfo.InvariantCulture)), Name(s)));

    [Fact]
    public void ResolvedYaml_SilentFile_ListsExactlyTheCatalogKeys()
    {
        var resolved = ResolveSilentFile();

        Assert.All(SettingCatalog.Sections, section =>
            Assert.Equal(section.Keys, Mapping(resolved, section.Key).Children.Keys.Select(k => ((YamlScalarNode)k).Value)));
    }

    [Fact]
    public void YamlLoader_SilentFile_ResolvesEveryDefinitionsDefault()
    {
        var resolved = ResolveSilentFile();

        Assert.All(SettingCatalog.Sections.SelectMany(section => section.Settings.Select(setting => (section, setting))), pair =>
        {
            var node = Mapping(resolved, pair.section.Key)[pair.setting.Key!];
            switch (pair.setting)
            {
                case NumberListSetting list:
                    Assert.Equal([list.Item.Default], ((YamlSequenceNode)node).Children.Select(n => double.Parse(Scalar(n), CultureInfo.InvariantCulture)));
                    break;
                case FlagListSetting flags:
                    Assert.Equal([flags.Item.Default], ((YamlSequenceNode)node).Children.Select(n => bool.Parse(Scalar(n))));
                    break;
                case ChoiceSetting choice:
                    Assert.Equal(choice.Default, Scalar(node));
                    break;
                case Setting<bool> flag:
                    Assert.Equal(flag.Default, bool.Parse(Scalar(node)));
                    break;
                case Setting<string> text:
                    Assert.Equal(text.Default, Scalar(node));
                    break;
                default:
                    Assert.Equal(Convert.ToDouble(pair.setting.DefaultValue, CultureInfo.InvariantCulture), double.Parse(Scalar(node), CultureInfo.InvariantCulture));
                    break;
            }
        });
    }

    [Fact]
    public void CommandLine_OptionDefaults_AreTheDefinitions()
    {
        // A grid axis left out is absent (the single train value then), so it has no default of its own.
        var settings = SettingCatalog.All.Where(s => s.Option is not null && s is not NumberListSetting and not FlagListSetting).ToList();
        Assert.NotEmpty(settings);
        Assert.All(settings, setting =>
        {
            var (command, option) = Find(setting);
            var value = command.Parse(RequiredArguments(command)).GetResult(option)?.GetValueOrDefault<object>();
            Assert.True(Same(setting, value), $"{setting.Option} defaults to {value}, its definition to {setting.DefaultValue}");
        });
    }

    [Fact]
    public void Configuration_Defaults_AreTheDefinitions()
    {
        var service = new ServiceOptions();
        var worker = new WorkerOptions();
        var metrics = new MetricsOptions();
        var run = new RunDefaults();
        Assert.All(SettingCatalog.All.Where(s => s.ConfigurationKey is not null), setting =>
        {
            var isWorker = SettingCatalog.Worker.All.Contains(setting);
            var isMetrics = SettingCatalog.Metrics.All.Contains(setting);
            Assert.True(Same(setting, Property(isWorker ? worker : isMetrics ? metrics : service, setting.ConfigurationKey!)), Name(setting));

            // The run defaults a pipeline file is resolved against carry the same properties, except the models folder.
            if (!isWorker && !isMetrics && setting != SettingCatalog.Service.ModelsDirectory)
            {
                Assert.True(Same(setting, Property(run, setting.ConfigurationKey!)), $"RunDefaults {Name(setting)}");
            }
        });
    }

    [Fact]
    public void ShippedAppSettings_Values_AreTheDefinitionsDefaults()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(RepositoryRoot.Path, "appsettings.json")).Build();

        Assert.Equal(new ServiceOptions(), configuration.GetSection(ServiceOptions.SectionName).Get<ServiceOptions>());
        Assert.Equal(new WorkerOptions(), configuration.GetSection(WorkerOptions.SectionName).Get<WorkerOptions>());
        Assert.Equal(new MetricsOptions(), configuration.GetSection(MetricsOptions.SectionName).Get<MetricsOptions>());
    }

    [Fact]
    public void OptionsRecords_Defaults_AreTheDefinitions()
    {
        var store = new FeatureStoreOptions();
        var featurize = new FeaturizeSettings { BatchSize = 1, Parallelism = 1, Device = InferenceDevice.Cpu };
        var limits = new DecodeLimits();
        var split = new SplitSettings();
        var stream = new StreamOptions();
        var streamSettings = new StreamSettings();
        var train = LogisticRegressionOptions.Default;
        var grid = new GridSettings([], []);
        var job = new TrainingJobOptions { FeaturesDirectory = "f", OutputDirectory = "o" };
        (Setting Setting, object Value)[] records =
        [
            (SettingCatalog.Featurize.BatchSize, new InferenceOptions().BatchSize),
            (SettingCatalog.Featurize.BatchSize, InferenceOptions.DefaultBatchSize),
            (SettingCatalog.Featurize.Device, new InferenceOptions().Device),
            (SettingCatalog.Featurize.Precision, new InferenceOptions().Precision),
            (SettingCatalog.Featurize.Precision, featurize.Precision),
            (SettingCatalog.Featurize.CalibrationImages, new FeaturizationOptions().CalibrationImages),
            (SettingCatalog.Featurize.CalibrationImages, featurize.CalibrationImages),
            (SettingCatalog.Featurize.Parallelism, new RunDefaults().Parallelism),
            (SettingCatalog.Featurize.RowsPerPart, store.RowsPerPart),
            (SettingCatalog.Featurize.RowsPerPart, featurize.RowsPerPart),
            (SettingCatalog.Featurize.PartSeconds, store.PartInterval.TotalSeconds),
            (SettingCatalog.Featurize.PartSeconds, featurize.PartSeconds),
            (SettingCatalog.Featurize.Arrow, store.WriteArrow),
            (SettingCatalog.Featurize.Arrow, featurize.Arrow),
            (SettingCatalog.Featurize.Shard, featurize.Shard),
            (SettingCatalog.Featurize.ShardCount, featurize.ShardCount),
            (SettingCatalog.Store.RowGroupSize, store.RowGroupSize),
            (SettingCatalog.Store.Compression, store.Compression),
            (SettingCatalog.Limits.MaxFileBytes, limits.MaxFileBytes),
            (SettingCatalog.Limits.MaxPixels, limits.MaxPixels),
            (SettingCatalog.Limits.MaxDecodeSeconds, limits.MaxDecodeTime),
            (SettingCatalog.Stream.MaxDelaySeconds, stream.MaxBatchDelay),
            (SettingCatalog.Stream.MaxDelaySeconds, streamSettings.MaxDelaySeconds),
            (SettingCatalog.Stream.After, stream.After),
            (SettingCatalog.Stream.After, streamSettings.After),
            (SettingCatalog.Stream.SettleSeconds, streamSettings.SettleSeconds),
            (SettingCatalog.Stream.SettleSeconds, WatchOptions.Default.Settle),
            (SettingCatalog.Stream.RescanSeconds, streamSettings.RescanSeconds),
            (SettingCatalog.Stream.RescanSeconds, WatchOptions.Default.Rescan),
            (SettingCatalog.Stream.CompactGraceSeconds, streamSettings.CompactGraceSeconds),
            (SettingCatalog.Stream.CompactGraceSeconds, stream.CompactGrace),
            (SettingCatalog.Split.TestFraction, split.TestFraction),
            (SettingCatalog.Split.Seed, split.Seed),
            (SettingCatalog.Split.Stratify, split.Stratify),
            (SettingCatalog.Train.MaxIter, train.MaxIter),
            (SettingCatalog.Train.RegParam, train.RegParam),
            (SettingCatalog.Train.ElasticNetParam, train.ElasticNetParam),
            (SettingCatalog.Train.Tol, train.Tol),
            (SettingCatalog.Train.Standardization, train.Standardization),
            (SettingCatalog.Train.FitIntercept, train.FitIntercept),
            (SettingCatalog.Grid.Folds, grid.Folds),
            (SettingCatalog.Grid.Metric, grid.Metric),
            (SettingCatalog.Grid.Seed, grid.Seed),
            (SettingCatalog.Grid.Folds, new GridSearchOptions().Folds),
            (SettingCatalog.Grid.Seed, (long)new GridSearchOptions().Seed),
            (SettingCatalog.Split.TestFraction, job.TestFraction),
            (SettingCatalog.Split.Seed, job.Seed),
            (SettingCatalog.Split.Stratify, job.Stratified),
            (SettingCatalog.Grid.Folds, job.Folds),
            (SettingCatalog.Grid.Metric, job.Metric),
            (SettingCatalog.Service.ModelsDirectory, job.ModelsDirectory),
        ];

        Assert.All(records, r => Assert.True(Same(r.Setting, r.Value), $"{Name(r.Setting)}: the record says {r.Value}, the definition {r.Setting.DefaultValue}"));

        // Every section setting with a record is listed above; the grid axes and evaluate.enabled have none.
        var withRecords = SettingCatalog.Sections.SelectMany(s => s.Settings)
            .Where(s => s is not NumberListSetting and not FlagListSetting && s != SettingCatalog.Evaluate.Enabled);
        Assert.Empty(withRecords.Except(records.Select(r => r.Setting)).Select(Name));
    }

    [Fact]
    public void YamlLoader_OutOfRangeValue_NamesTheDefinitionsRange()
    {
        var cases = SettingCatalog.Sections.SelectMany(section => section.Settings.Select(setting => (section, setting)))
            .Where(pair => OutOfRangeText(pair.setting) is not null)
            .ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, pair =>
        {
            var text = OutOfRangeText(pair.setting)!;
            var yaml = PipelineFileLoaderTests.Minimal + $"\n{pair.section.Key}:\n  {pair.setting.Key}: {text}";

            var errors = PipelineFileLoader.Parse(yaml, "t.yaml", Defaults()).Errors.Select(e => e.ToString());

            var at = pair.setting is NumberListSetting ? "[0]" : "";
            Assert.Contains(errors, e => e.EndsWith($" {pair.section.Key}.{pair.setting.Key}{at}: {text} is out of range; allowed: {RangeOf(pair.setting)}", StringComparison.Ordinal));
        });
    }

    [Fact]
    public void CommandLine_OutOfRangeValue_NamesTheDefinitionsRange()
    {
        var cases = SettingCatalog.All.Where(s => s.Option is not null && OutOfRangeText(s) is not null).ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, setting =>
        {
            var text = OutOfRangeText(setting)!;
            var (command, _) = Find(setting);

            var errors = command.Parse([.. RequiredArguments(command), setting.Option!, text]).Errors.Select(e => e.Message);

            var expected = setting is NumberListSetting
                ? $"{setting.Option} values must be {RangeOf(setting)}, got {text}"
                : $"{setting.Option} must be {RangeOf(setting)}, got {text}";
            Assert.Contains(expected, errors);
        });
    }

    [Fact]
    public void Configuration_OutOfRangeValue_NamesTheDefinitionsRange()
    {
        // Limits:MaxDecodeTime is a TimeSpan in configuration; ServiceOptionsValidatorTests checks its wording.
        var cases = SettingCatalog.All
            .Where(s => s.ConfigurationKey is not null && s != SettingCatalog.Limits.MaxDecodeSeconds && OutOfRangeText(s) is not null)
            .ToList();
        Assert.NotEmpty(cases);
        Assert.All(cases, setting =>
        {
            var text = OutOfRangeText(setting)!;
            var section = SettingCatalog.Worker.All.Contains(setting) ? WorkerOptions.SectionName
                : SettingCatalog.Metrics.All.Contains(setting) ? MetricsOptions.SectionName
                : ServiceOptions.SectionName;
            var key = $"{section}:{setting.ConfigurationKey}";

            var errors = CommandLineSettings.Errors([$"--{key}={text}"]);

            Assert.Equal([$"--{key} must be {RangeOf(setting)}, got {text}"], errors);
        });
    }

    private static string Name(Setting setting) => setting.Key ?? setting.ConfigurationKey ?? "?";

    private static NumberRange? RangeOf(Setting setting) => setting switch
    {
        NumberSetting<int> s => s.Range,
        NumberSetting<long> s => s.Range,
        NumberSetting<double> s => s.Range,
        NumberListSetting s => s.Range,
        _ => null,
    };

    /// <summary>A value just outside the setting's range as text, or null when every value of its type is allowed (a seed).</summary>
    private static string? OutOfRangeText(Setting setting)
    {
        if (RangeOf(setting) is not { } range)
        {
            return null;
        }

        double? value = range.MinExclusive ? range.Min
            : range.Min > long.MinValue ? range.Min - 1
            : range.MaxExclusive ? range.Max
            : range.Max < long.MaxValue ? range.Max + 1
            : null;
        return value?.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>Whether a surface's value is the definition's default, across the surfaces' types (a TimeSpan for seconds, an enum for a choice, ulong for a seed).</summary>
    private static bool Same(Setting setting, object? value) => (setting, value) switch
    {
        (ChoiceSetting choice, Enum member) => string.Equals(choice.Default, member.ToString(), StringComparison.OrdinalIgnoreCase),
        (NumberSetting<double> seconds, TimeSpan span) => seconds.Default == span.TotalSeconds,
        (_, bool or string or TimeSpan) => Equals(setting.DefaultValue, value),
        (_, IConvertible number) => Convert.ToDouble(setting.DefaultValue, CultureInfo.InvariantCulture) == number.ToDouble(CultureInfo.InvariantCulture),
        _ => false,
    };

    /// <summary>The value at a configuration key (<c>Limits:MaxFileBytes</c>) of an options record, by its property names.</summary>
    private static object? Property(object options, string configurationKey) =>
        configurationKey.Split(':').Aggregate<string, object?>(options, (o, name) => o!.GetType().GetProperty(name)!.GetValue(o));

    private static (Command Command, Option Option) Find(Setting setting)
    {
        foreach (var (create, _) in Commands)
        {
            var command = create();
            if (command.Options.FirstOrDefault(o => o.Name == setting.Option) is { } option)
            {
                return (command, option);
            }
        }

        throw new InvalidOperationException($"no command takes {setting.Option}");
    }

    private static string[] RequiredArguments(Command command) =>
        Commands.Single(c => c.Create().Name == command.Name).Required;

    private RunDefaults Defaults() => new() { BaseDirectory = _dir.Path, OutputRoot = "runs" };

    /// <summary>resolved.yaml of a file silent on every setting; an empty grid mapping asks for a grid search with its defaults.</summary>
    private YamlMappingNode ResolveSilentFile()
    {
        var definition = PipelineFileLoader.Parse(PipelineFileLoaderTests.Minimal + "\ngrid: {}", "t.yaml", Defaults()).GetDefinitionOrThrow();
        var stream = new YamlStream();
        stream.Load(new StringReader(ResolvedPipelineYaml.Write(definition, "resnet18")));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Mapping(YamlMappingNode root, string key) => (YamlMappingNode)root[key];

    private static string Scalar(YamlNode node) => ((YamlScalarNode)node).Value!;
}
