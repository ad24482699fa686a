using System.CommandLine;
using Pipeline.Settings;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.Hosting;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline featurize</c>: labelled images → feature store.</summary>
internal static class FeaturizeCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i")
        {
            Description = "Images: a folder per class (root/<label>/...), a CSV or Parquet manifest with path,label columns, or idx:IMAGES,LABELS.",
            Required = true,
        }.NotEmpty();
        var output = new Option<string>("--output", "-o") { Description = "Output folder: features/part-*.parquet, rejects.parquet.", Required = true }.NotEmpty();
        var model = CommonOptions.Model();
        var modelsDir = CommonOptions.ModelsDirectory();
        var device = CommonOptions.Device();
        var batchSize = CommonOptions.BatchSize();
        var parallelism = CommonOptions.Parallelism();
        var pooling = CommonOptions.Pooling();
        var layers = SettingOptions.Text(SettingCatalog.Model.Layers);
        var resize = CommonOptions.Resize();
        var precision = SettingOptions.Choice<FeaturePrecision>(SettingCatalog.Featurize.Precision);
        var calibrationImages = SettingOptions.Number(SettingCatalog.Featurize.CalibrationImages);
        var arrow = SettingOptions.Flag(SettingCatalog.Featurize.Arrow);
        var rowGroup = SettingOptions.Number(SettingCatalog.Store.RowGroupSize);
        var compression = SettingOptions.Choice<FeatureStoreCompression>(SettingCatalog.Store.Compression);
        var rowsPerPart = SettingOptions.Number(SettingCatalog.Featurize.RowsPerPart);
        var partSeconds = SettingOptions.Number(SettingCatalog.Featurize.PartSeconds);

        // The file's byte and pixel limits in MB and megapixels: the value is rounded up (Saturate), so
        // any positive one allows at least 1, which is exactly the definitions' range "1 or more".
        var maxFileMb = new Option<long>("--max-file-mb") { Description = SettingCatalog.Limits.MaxFileBytes.Description, DefaultValueFactory = _ => SettingCatalog.Limits.MaxFileBytes.Default / (1024 * 1024) }
            .InRange(new NumberRange(1, long.MaxValue));
        var maxMegapixels = new Option<double>("--max-megapixels") { Description = SettingCatalog.Limits.MaxPixels.Description, DefaultValueFactory = _ => SettingCatalog.Limits.MaxPixels.Default / 1e6 }
            .InRange(NumberRange.NonNegative with { MinExclusive = true });
        var maxDecodeSeconds = SettingOptions.Number(SettingCatalog.Limits.MaxDecodeSeconds);
        var shard = CommonOptions.Shard();
        var shardCount = CommonOptions.ShardCount();

        var command = new HostedCommand("featurize", "Featurize labelled images with a pretrained CNN (classifier peeled off) into a Parquet feature store.")
        {
            input, model, output, batchSize, device, precision, calibrationImages, parallelism, arrow, pooling, layers, resize, modelsDir, rowGroup, compression, rowsPerPart, partSeconds, maxFileMb, maxMegapixels, maxDecodeSeconds, shard, shardCount,
        };
        command.SetAction(async parse =>
        {
            var options = new FeaturizationOptions
            {
                Inference = new InferenceOptions { Device = parse.GetValue(device), BatchSize = parse.GetValue(batchSize), Precision = parse.GetValue(precision) },
                Parallelism = parse.GetValue(parallelism),
                CalibrationImages = parse.GetValue(calibrationImages),
                Limits = new DecodeLimits
                {
                    MaxFileBytes = Saturate(parse.GetValue(maxFileMb) * (1024.0 * 1024)),
                    MaxPixels = Saturate(parse.GetValue(maxMegapixels) * 1e6),
                    MaxDecodeTime = TimeSpan.FromSeconds(parse.GetValue(maxDecodeSeconds)),
                },
                Store = new FeatureStoreOptions
                {
                    RowGroupSize = parse.GetValue(rowGroup),
                    Compression = parse.GetValue(compression),
                    RowsPerPart = parse.GetValue(rowsPerPart),
                    PartInterval = TimeSpan.FromSeconds(parse.GetValue(partSeconds)),
                    WriteArrow = parse.GetValue(arrow),
                },
            };
            var resolved = ModelZoo.LoadDefault().Resolve(parse.GetValue(model)!, parse.GetValue(modelsDir)!);
            if (parse.GetValue(pooling) is { } p)
            {
                resolved = resolved with { Spec = resolved.Spec with { Pooling = p } };
            }

            resolved = resolved with { Spec = resolved.Spec.WithLayers(SettingOptions.List(parse.GetValue(layers)!)) };
            if (parse.GetValue(resize) is { Length: > 0 } r)
            {
                resolved = resolved with { Spec = resolved.Spec.WithResize(CommonOptions.ParseResize(r)) };
            }

            using var stop = new StopSignal();
            using var deadline = new DrainDeadline(CommandRunner.StopGracePeriod, TimeProvider.System, stop.Token);
            var source = await ImageSourceFactory.OpenAsync(parse.GetValue(input)!, stop.Token);
            using var logging = ConsoleLogging.Create();
            var logger = logging.CreateLogger("featurize");
            options = options with { Shard = CommonOptions.ResolveShard(parse, shard, shardCount, logger) };
            var counters = new FeaturizationCounters();
            FeaturizationSummary summary;
            try
            {
                await using (ProgressReporter.Start(counters, logger, ConsoleLogging.Terminal))
                {
                    summary = await FeaturizationJob.RunAsync(source, resolved, parse.GetValue(output)!, options, counters, logger, stop.Token, deadline.Token);
                }
            }
            catch (OperationCanceledException) when (stop.Token.IsCancellationRequested)
            {
                // What the stopped run did, before CommandRunner's closing line: its rows are kept and reused.
                SummaryPrinter.PrintStopped(counters);
                if (deadline.Passed)
                {
                    await Console.Error.WriteLineAsync($"Stopped before the drain finished: the {CommandRunner.StopGracePeriod.TotalSeconds:0} s grace period ran out, so the images in flight were abandoned.");
                }

                throw;
            }

            SummaryPrinter.Print(summary);
            if (summary.ShardOutcome is { } outcome)
            {
                Console.WriteLine(outcome);
            }

            return 0;
        });
        return command;
    }

    /// <summary>
    /// A limit in bytes or pixels from its value in MB or megapixels: rounded up, so that any
    /// positive value allows at least one, and capped, so that a huge one means "no limit".
    /// </summary>
    private static long Saturate(double value) => value >= long.MaxValue ? long.MaxValue : (long)Math.Ceiling(value);
}
