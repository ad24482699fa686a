using Microsoft.Extensions.Logging;
using Pipeline.FeatureStore;
using Pipeline.IO;
using Pipeline.PipelineFiles;
using Pipeline.Sources;

namespace Pipeline.Runs;

/// <summary>
/// Runs one pipeline file end to end around an <see cref="IPipelineRunner"/>: validate (all errors, before
/// any work), prepare the run folder, write <c>resolved.yaml</c> and <c>run.json</c>, call the runner, and
/// record the ending — completed, failed with the message, or interrupted when the token stopped it.
/// Used by <c>pipeline run</c> and by the worker.
/// </summary>
public sealed class PipelineRunService
{
    private readonly IPipelineRunner _runner;
    private readonly RunDefaults _defaults;
    private readonly string _modelsDirectory;
    private readonly IModelAvailability _models;
    private readonly TimeProvider _time;
    private readonly ILogger<PipelineRunService> _logger;

    /// <summary>Creates the service.</summary>
    /// <param name="runner">Executes the stages.</param>
    /// <param name="defaults">Service defaults every pipeline file is resolved against.</param>
    /// <param name="modelsDirectory">Where model files live (relative to <see cref="RunDefaults.BaseDirectory"/>).</param>
    /// <param name="models">Resolves <c>model.prefer</c>.</param>
    /// <param name="time">Clock for run.json timestamps.</param>
    /// <param name="logger">Structured log.</param>
    internal PipelineRunService(IPipelineRunner runner, RunDefaults defaults, string modelsDirectory, IModelAvailability models, TimeProvider time, ILogger<PipelineRunService> logger)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentException.ThrowIfNullOrEmpty(modelsDirectory);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _runner = runner;
        _defaults = defaults;
        _modelsDirectory = Path.GetFullPath(modelsDirectory, defaults.BaseDirectory);
        _models = models;
        _time = time;
        _logger = logger;
    }

    /// <summary>Only validates <paramref name="pipelineFile"/> (<c>pipeline validate</c>).</summary>
    public Task<PipelineLoadResult> ValidateAsync(string pipelineFile, string? displayPath = null, CancellationToken cancellationToken = default) =>
        PipelineFileLoader.LoadAsync(pipelineFile, _defaults, displayPath, cancellationToken);

    /// <summary>Runs <paramref name="pipelineFile"/>; never throws for a bad file, a failed stage or a stop.</summary>
    /// <param name="pipelineFile">The pipeline file to read.</param>
    /// <param name="displayPath">How messages name it (default <paramref name="pipelineFile"/>).</param>
    /// <param name="cancellationToken">Stops the run; it is then recorded as interrupted.</param>
    /// <param name="abandonToken">
    /// Fires when a stop's drain is out of time (<see cref="Hosting.DrainDeadline"/>): the work in flight is
    /// dropped and what is complete committed at once, so the run is still recorded interrupted in time.
    /// </param>
    public async Task<RunResult> RunAsync(string pipelineFile, string? displayPath = null, CancellationToken cancellationToken = default, CancellationToken abandonToken = default)
    {
        var display = displayPath ?? pipelineFile;
        PipelineLoadResult load;
        try
        {
            load = await ValidateAsync(pipelineFile, display, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new RunResult(RunState.Interrupted, [], null, null);
        }

        if (!load.IsValid)
        {
            _logger.LogWarning("Pipeline file {PipelineFile} is invalid: {Errors}", display, string.Join(Environment.NewLine, load.Errors));
            return new RunResult(RunState.Failed, load.Errors, null, null);
        }

        var definition = load.Definition!;
        var folder = new RunFolder(definition.OutputPath);
        folder.Create();

        // Two pipeline files naming one output folder must not interleave their writes. The shards of
        // one file run at once by design (their store takes them all), so each shard has its own lock.
        using (var runLock = FolderLock.TryAcquire(folder.Root, RunLockName(definition), out var holder))
        {
            if (runLock is null)
            {
                var busy = $"run folder '{folder.Root}' is in use by another run{FolderLock.DescribeHolder(holder)}";
                _logger.LogWarning("Pipeline file {PipelineFile}: {Error}", display, busy);
                return new RunResult(RunState.Failed, [new PipelineFileError(display, 1, 1, "output", busy)], null, null);
            }

            return await RunInFolderAsync(display, definition, folder, cancellationToken, abandonToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>.run.lock</c>, or a sharded run's <c>.run-shard-i-of-N.lock</c>; a shard that does not resolve fails later, in its featurize stage, with the reason.</summary>
    private static string RunLockName(PipelineDefinition definition)
    {
        try
        {
            return ShardSelection.Resolve(definition.Featurize.Shard, definition.Featurize.ShardCount, Environment.GetEnvironmentVariable, out _) is { } shard
                ? $".run-{shard.Name}.lock"
                : ".run.lock";
        }
        catch (FormatException)
        {
            return ".run.lock";
        }
    }

    private async Task<RunResult> RunInFolderAsync(string display, PipelineDefinition definition, RunFolder folder, CancellationToken cancellationToken, CancellationToken abandonToken)
    {
        var previous = await RunRecordJson.TryReadAsync(folder.RunJson, CancellationToken.None).ConfigureAwait(false);
        var isResume = previous?.State is RunState.Running or RunState.Interrupted;
        var preferred = definition.Model.Resolve(_models);
        var storeModel = await StoreModelAsync(folder.Root).ConfigureAwait(false);
        var model = definition.Model.Resolve(_models, storeModel);
        if (!string.Equals(model, preferred, StringComparison.Ordinal))
        {
            _logger.LogInformation(
                "Run folder {RunFolder} holds {StoreModel} features; keeping {Model} although {Preferred} is available; delete the folder to switch",
                folder.Root, storeModel, model, preferred);
        }
        else if (storeModel is not null
            && !string.Equals(model, storeModel, StringComparison.OrdinalIgnoreCase)
            && definition.Model.Prefer.Contains(storeModel, StringComparer.OrdinalIgnoreCase))
        {
            // The featurize stage will refuse the folder; this says why, which its message cannot.
            _logger.LogWarning(
                "Run folder {RunFolder} holds {StoreModel} features, but that model is not in the models folder any more; the run uses {Model}, whose features cannot join them: restore the model file or delete the folder",
                folder.Root, storeModel, model);
        }

        await AtomicFile.WriteAllTextAsync(folder.ResolvedConfiguration, ResolvedPipelineYaml.Write(definition, model), CancellationToken.None).ConfigureAwait(false);

        var journal = new RunJournal(folder.RunJson, new RunRecord
        {
            Name = definition.Name,
            PipelineFile = display,
            RunFolder = folder.Root,
            Model = model,
            // Only a resume continues the count (as RunRecord.Attempt documents): a re-run of a finished
            // run, say with another regParam, is a new run, not a retry of the old one.
            Attempt = isResume ? previous!.Attempt + 1 : 1,
        }, _time);
        await journal.StartAsync().ConfigureAwait(false);

        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Run"] = definition.Name, ["RunFolder"] = folder.Root });
        _logger.LogInformation("Run {Run} {Action} from {PipelineFile} with model {Model} into {RunFolder}",
            definition.Name, isResume ? "resumes" : "starts", display, model, folder.Root);
        var run = new ResolvedRun(display, definition, model, folder, _modelsDirectory, isResume);
        try
        {
            var outcome = await _runner.RunAsync(run, journal, cancellationToken, abandonToken).ConfigureAwait(false);
            await journal.CompleteAsync(outcome).ConfigureAwait(false);
            _logger.LogInformation(
                "Run {Run} completed in {Seconds:0.0} s: {Metrics}",
                definition.Name,
                journal.Current.Seconds,
                RunSummary.Metrics(journal.Current.Metrics));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await journal.InterruptAsync().ConfigureAwait(false);
            var counts = journal.Current.Counts;
            _logger.LogWarning(
                "Run {Run} interrupted after {Seconds:0.0} s ({Read} read, {Featurized} featurized, {Cached} cached, {Rejected} rejected); the next start resumes it",
                definition.Name,
                journal.Current.Seconds,
                counts.Read,
                counts.Featurized,
                counts.Cached,
                counts.Rejected);
        }
        catch (Exception e)
        {
            await journal.FailAsync(e.Message).ConfigureAwait(false);
            _logger.LogError(e, "Run {Run} failed: {Error}", definition.Name, e.Message);
        }

        return new RunResult(journal.Current.State, [], folder, journal.Current);
    }

    /// <summary>
    /// The model the run folder's feature store was made with, or null when it has no parts. An
    /// unreadable store also gives null: the featurize stage then reports what is wrong with it.
    /// </summary>
    private static async Task<string?> StoreModelAsync(string storeDirectory)
    {
        if (FeatureStoreLayout.FindParquetParts(FeatureStoreLayout.FeaturesDirectory(storeDirectory)).Count == 0)
        {
            return null;
        }

        try
        {
            var store = await FeatureStoreReader.OpenAsync(storeDirectory, CancellationToken.None).ConfigureAwait(false);
            return store.Metadata.ModelName;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return null;
        }
    }
}
