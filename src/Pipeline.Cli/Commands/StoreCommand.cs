using System.CommandLine;
using Pipeline.FeatureStore;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline store</c>: checks and maintenance of a feature store folder.</summary>
internal static class StoreCommand
{
    public static Command Create() => new("store", "Check or maintain a feature store (sharded or not).")
    {
        Verify(),
    };

    /// <summary><c>pipeline store verify DIR</c>: exit 0 with a summary, or 1 with the first problem in one sentence.</summary>
    private static Command Verify()
    {
        var store = new Argument<string>("DIR") { Description = "The feature store: featurize's --output folder." }.NotEmpty();
        var command = new Command("verify", "Check that a store is complete (every shard committed, _SUCCESS) and consistent (one schema and one featurizer across parts, no duplicate row), and print what it holds.")
        {
            store,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await FeatureStoreVerification.RunAsync(parse.GetValue(store)!, cancellationToken);
            if (result.Problem is { } problem)
            {
                await Console.Error.WriteLineAsync($"error: {problem}");
                return CommandRunner.Failed;
            }

            Console.WriteLine(result.Describe());
            return 0;
        });
        return command;
    }
}
