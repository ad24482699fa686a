using System.CommandLine;
using System.Globalization;
using Pipeline.FeatureStore;
using Pipeline.Settings;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline store compact DIR</c>: merges a store's small parts into parts of about
/// <c>--rows-per-part</c> rows, in a new generation that readers see whole (see README, Store).
/// </summary>
internal static class StoreCompactCommand
{
    public static Command Create()
    {
        var store = new Argument<string>("store") { Description = "The store's folder (a featurize output or a run folder), which no one is writing; a sharded store once every shard is committed." };
        var rowsPerPart = SettingOptions.Number(SettingCatalog.Featurize.RowsPerPart);
        var graceSeconds = SettingOptions.Number(SettingCatalog.Stream.CompactGraceSeconds);
        var command = new Command("compact", "Merge a feature store's small parts; a reader never sees a row twice or misses one meanwhile.") { store, rowsPerPart, graceSeconds };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(store)!;
            var options = new FeatureStoreOptions { RowsPerPart = parse.GetValue(rowsPerPart) };
            var grace = TimeSpan.FromSeconds(parse.GetValue(graceSeconds));
            var result = await SmallPartCompaction.CompactStoreAsync(directory, options, grace, cancellationToken);
            Console.WriteLine(result.Shards is { } shards
                ? string.Create(
                    CultureInfo.InvariantCulture,
                    $"Compacted the {shards} shards' {result.PartsMerged} parts into {result.PartsWritten} unsharded parts of {result.Rows} rows in {Path.GetFullPath(directory)}; a later run of any of its shards finds its marker and adds nothing.")
                : result.PartsMerged == 0
                ? string.Create(CultureInfo.InvariantCulture, $"Nothing to merge in {Path.GetFullPath(directory)}: its small parts hold {result.RowsLeft} rows, fewer than {options.RowsPerPart}.")
                : string.Create(
                    CultureInfo.InvariantCulture,
                    $"Merged {result.PartsMerged} small parts into {result.PartsWritten} parts of {result.Rows} rows in {Path.GetFullPath(directory)}; {result.RowsLeft} rows stay in small parts."));
            return 0;
        });
        return command;
    }
}
