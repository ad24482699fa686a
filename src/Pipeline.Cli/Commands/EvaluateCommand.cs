using System.CommandLine;
using Pipeline.Evaluation;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline evaluate</c>: a saved model scored on every row of a labelled feature store.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model", "-m") { Description = "Model folder written by `pipeline train`.", Required = true }.NotEmpty();
        var features = new Option<string>("--features", "-f") { Description = "Labelled feature store of the same featurizer.", Required = true }.NotEmpty();
        var output = new Option<string>("--output", "-o") { Description = "Report folder: metrics.json, report.md, plots.", Required = true }.NotEmpty();
        var command = new Command("evaluate", "Evaluate a saved model on a whole feature store and write a report.") { model, features, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new EvaluationJobOptions
            {
                ModelDirectory = parse.GetValue(model)!,
                FeaturesDirectory = parse.GetValue(features)!,
                ReportDirectory = parse.GetValue(output)!,
            };
            using var logging = ConsoleLogging.Create();
            var result = await EvaluationJob.RunAsync(options, logging.CreateLogger("evaluate"), cancellationToken);
            SummaryPrinter.Print(result);
            return 0;
        });
        return command;
    }
}
