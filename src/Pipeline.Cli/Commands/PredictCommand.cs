using System.CommandLine;
using Pipeline.Featurization;
using Pipeline.Inference;
using Pipeline.Prediction;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline predict</c>: images → predictions.parquet, through the model's own featurizer.</summary>
internal static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder written by `pipeline train`.", Required = true }.NotEmpty();
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "A folder (of images, or one per class), a CSV or Parquet manifest, idx:IMAGES,LABELS, or image files.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        }.NotEmpty();
        var output = new Option<string>("--output", "-o") { Description = "Predictions Parquet file: path, label, predicted_label, probability, p_<class>..., reject_stage, reject_reason.", Required = true }.NotEmpty();
        var batchSize = CommonOptions.BatchSize();
        var device = CommonOptions.Device();
        var parallelism = CommonOptions.Parallelism();
        var modelsDir = CommonOptions.ModelsDirectory();
        var shard = CommonOptions.Shard();
        var shardCount = CommonOptions.ShardCount();
        var command = new Command("predict", "Classify images with a saved model; rejected images are listed in the output with their reason.")
        {
            model, input, output, batchSize, device, parallelism, modelsDir, shard, shardCount,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var logging = ConsoleLogging.Create();
            var logger = logging.CreateLogger("predict");
            var options = new PredictionJobOptions
            {
                ModelDirectory = parse.GetValue(model)!,
                Inputs = parse.GetValue(input)!,
                OutputPath = parse.GetValue(output)!,
                ModelsDirectory = parse.GetValue(modelsDir)!,
                Featurization = new FeaturizationOptions
                {
                    Inference = new InferenceOptions { Device = parse.GetValue(device), BatchSize = parse.GetValue(batchSize) },
                    Parallelism = parse.GetValue(parallelism),
                    Shard = CommonOptions.ResolveShard(parse, shard, shardCount, logger),
                },
            };
            var counters = new FeaturizationCounters();
            PredictionJobResult result;
            await using (ProgressReporter.Start(counters, logger, ConsoleLogging.Terminal))
            {
                result = await PredictionJob.RunAsync(options, counters, logger, cancellationToken);
            }

            SummaryPrinter.Print(result);
            return 0;
        });
        return command;
    }
}
