using System.CommandLine;
using Pipeline.Cli;
using Pipeline.Cli.Commands;

ConsoleLogging.ShareTerminal();
var root = new RootCommand("Pipeline: transfer-learning image classification. Featurize labelled images with a pretrained CNN into a Parquet feature store, train elastic-net logistic regression on it, evaluate and predict.")
{
    FeaturizeCommand.Create(),
    ModelsCommand.Create(),
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    RunCommand.Create(),
    ValidateCommand.Create(),
    WorkerCommand.Create(),
    BenchInferenceCommand.Create(),
    StoreCommand.Create(),
    BenchStoreCommand.Create(),
};

return await CommandRunner.InvokeAsync(root, args);
