using System.Globalization;
using System.Text.Json;
using Pipeline.IO;
using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// One shard's view of a store that N processes write at once, on one machine or many sharing a
/// filesystem, with no lock service: each attempt of a shard writes a whole store of its own under
/// <c>_temporary/shard-i-of-N/attempt-ID/</c>, and commits it by creating the shard's marker
/// <c>_shards/shard-i-of-N.committed</c> (naming the attempt) with link(2), which exactly one
/// attempt can do (<see cref="FirstWriterWins"/>). Only the winner's files are then renamed into
/// the store (<see cref="Publish"/>): two attempts of one shard running at once (Kubernetes may
/// start two pods for one index), or a killed one and its retry, never both reach
/// <c>features/</c>, so a reader that lists it sees each image at most once.
/// </summary>
/// <remarks>
/// <para>A winner killed part-way through its renames leaves its marker and its folder: whoever
/// comes next for that shard (a retry, any later attempt) finishes them, each rename being
/// idempotent. A shard is published once its marker exists and its attempt folder is gone.</para>
/// <para><c>features/_SUCCESS</c>: each shard, after publishing, lists the markers and attempt
/// folders, and writes it when every shard is published. The shard that publishes last therefore
/// sees all N, whichever it is: any other finished its renames before the last one's listing.
/// A shard that finds another published listing too early simply leaves it to that one. On NFS a
/// listing can be cached for a few seconds (<c>actimeo</c>); running any shard again (it finds
/// itself committed and does nothing else) writes a <c>_SUCCESS</c> that was missed.</para>
/// </remarks>
internal sealed class ShardedStore
{
    private ShardedStore(string root, Shard shard)
    {
        Root = root;
        Shard = shard;
        FeaturesDirectory = FeatureStoreLayout.FeaturesDirectory(root);
    }

    /// <summary>The store's root (absolute).</summary>
    public string Root { get; }

    public Shard Shard { get; }

    public string FeaturesDirectory { get; }

    /// <summary>This shard's commit marker.</summary>
    public string Marker => MarkerOf(Root, Shard);

    /// <summary>
    /// Opens <paramref name="outputDirectory"/> for <paramref name="shard"/>: creates its folders
    /// and refuses a store laid out otherwise (an unsharded store's parts, or shards of another N).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created or written.</exception>
    /// <exception cref="InvalidDataException">The store holds an unsharded store's parts or another shard count's.</exception>
    public static ShardedStore Open(string outputDirectory, Shard shard)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        ArgumentNullException.ThrowIfNull(shard);
        var store = new ShardedStore(Path.GetFullPath(outputDirectory), shard);
        try
        {
            Directory.CreateDirectory(store.FeaturesDirectory);
            Directory.CreateDirectory(Path.Combine(store.Root, FeatureStoreLayout.ShardMarkersFolder));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"The feature store output directory '{store.Root}' cannot be created or written ({e.Message}).", e);
        }

        if (CountOf(store.Root) is { } count && count != shard.Count)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Feature store '{store.Root}' is being written in {count} shards, so shard {shard} cannot join it; give the same shard count, or write to another output directory."));
        }

        var unsharded = FeatureStoreLayout.FindParts(store.FeaturesDirectory, FeatureStoreLayout.ParquetExtension)
            .FirstOrDefault(p => FeatureStoreLayout.ShardOf(p.Path) is null).Path;
        if (unsharded is not null && !File.Exists(store.Marker))
        {
            throw new InvalidDataException(
                $"Feature store '{store.Root}' holds parts of an unsharded featurize ('{unsharded}'), so shard {shard} cannot join it; write the shards to another output directory.");
        }

        return store;
    }

    /// <summary>
    /// The shard count of the store at <paramref name="root"/>, from its markers, attempts and part
    /// names; null when nothing sharded is there yet.
    /// </summary>
    /// <exception cref="InvalidDataException">Two shard counts are found.</exception>
    public static int? CountOf(string root)
    {
        var names = Names(Path.Combine(root, FeatureStoreLayout.ShardMarkersFolder), FeatureStoreLayout.ShardMarkerExtension)
            .Concat(Directory.Exists(Path.Combine(root, FeatureStoreLayout.AttemptsFolder))
                ? Directory.EnumerateDirectories(Path.Combine(root, FeatureStoreLayout.AttemptsFolder)).Select(Path.GetFileName)
                : [])
            .Select(n => FeatureStoreLayout.ParseShardName(n!)?.Count)
            .Concat(FeatureStoreLayout.FindParts(FeatureStoreLayout.FeaturesDirectory(root), FeatureStoreLayout.ParquetExtension).Select(p => FeatureStoreLayout.ShardOf(p.Path)?.Count))
            .OfType<int>()
            .Distinct()
            .Order()
            .ToArray();
        return names.Length switch
        {
            0 => null,
            1 => names[0],
            _ => throw new InvalidDataException($"Feature store '{root}' mixes shard counts {string.Join(" and ", names)}; write each sharded featurize to its own output directory."),
        };
    }

    /// <summary>
    /// Refuses an unsharded featurize into a store written in shards: its rows would join no shard,
    /// and its compaction would drop every other shard's rows as gone from its source.
    /// </summary>
    /// <exception cref="InvalidDataException">The store has shard markers, attempts or parts.</exception>
    public static void ThrowIfSharded(string outputDirectory)
    {
        var root = Path.GetFullPath(outputDirectory);
        if (CountOf(root) is { } count)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Feature store '{root}' is written in {count} shards, so an unsharded featurize cannot write to it; give --shard i/{count}, or write to another output directory."));
        }
    }

    /// <summary>The marker of <paramref name="shard"/> in the store at <paramref name="root"/>.</summary>
    public static string MarkerOf(string root, Shard shard) =>
        Path.Combine(root, FeatureStoreLayout.ShardMarkersFolder, shard.Name + FeatureStoreLayout.ShardMarkerExtension);

    /// <summary>The attempt that committed <paramref name="shard"/>, from its marker; null while none has.</summary>
    public static string? CommittedAttemptOf(string root, Shard shard)
    {
        var marker = MarkerOf(root, shard);
        return File.Exists(marker) ? File.ReadAllText(marker).Trim() : null;
    }

    /// <summary>Whether <paramref name="shard"/>'s committed files are all in the store: its marker exists and its attempt folder is gone.</summary>
    public static bool IsPublished(string root, Shard shard) =>
        CommittedAttemptOf(root, shard) is { } attempt && !Directory.Exists(AttemptDirectoryOf(root, shard, attempt));

    /// <summary>The attempt that committed this shard; null while none has.</summary>
    public string? CommittedAttempt => CommittedAttemptOf(Root, Shard);

    /// <summary>
    /// A fresh attempt's folder, a store of its own (<c>features/</c>, <c>rejects.parquet</c>), named
    /// by host, pid and a random part so that no two attempts anywhere share one.
    /// </summary>
    public string BeginAttempt()
    {
        var id = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        var folder = AttemptDirectoryOf(Root, Shard, id);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>
    /// Refuses a store whose featurizer (model, preprocessing, class list) is another than
    /// <paramref name="metadata"/>: the first shard to check defines it in
    /// <c>_shards/featurizer.json</c>, created once (<see cref="FirstWriterWins"/>), and every shard
    /// compares with that file, before its attempt starts and again before it commits, so two
    /// shards of different models on an empty store can never both commit. Committed parts are
    /// compared too (a store whose shards committed before that file existed).
    /// </summary>
    /// <exception cref="InvalidDataException">The store's featurizer differs, or a committed part cannot be read; the message names the file and every key that differs.</exception>
    public async Task EnsureSameFeaturizerAsync(FeatureStoreMetadata metadata, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var definition = Path.Combine(Root, FeatureStoreLayout.ShardMarkersFolder, FeaturizerFile);
        if (!FirstWriterWins.TryCreate(definition, JsonSerializer.Serialize(FeatureStoreKeyValues.ToKeyValues(metadata))))
        {
            ThrowIfDifferent(metadata, await ReadDefinitionAsync(definition, ct).ConfigureAwait(false), $"Feature store featurizer '{definition}'");
        }

        // Resolved once: a compaction of the complete store may swap generations meanwhile (a late attempt of a shard).
        var parts = FeatureStoreLayout.FindParts(FeatureStoreGenerations.ResolveFeatures(Root), FeatureStoreLayout.ParquetExtension);
        if (parts.Count == 0)
        {
            return;
        }

        var part = parts[0].Path;
        var reader = await FeatureStoreReader.OpenPartAsync(part, ct).ConfigureAwait(false);
        await using var _ = reader.ConfigureAwait(false);
        ThrowIfDifferent(metadata, FeatureStoreKeyValues.Parse(reader.CustomMetadata, part), $"Feature store part '{part}'");
    }

    /// <summary>The featurizer the first shard to check defined (see <see cref="EnsureSameFeaturizerAsync"/>), or null before any did.</summary>
    /// <exception cref="InvalidDataException">The definition cannot be read.</exception>
    public async Task<FeatureStoreMetadata?> DefinedFeaturizerAsync(CancellationToken ct)
    {
        var definition = Path.Combine(Root, FeatureStoreLayout.ShardMarkersFolder, FeaturizerFile);
        return File.Exists(definition) ? await ReadDefinitionAsync(definition, ct).ConfigureAwait(false) : null;
    }

    private static async Task<FeatureStoreMetadata> ReadDefinitionAsync(string definition, CancellationToken ct)
    {
        Dictionary<string, string> keyValues;
        try
        {
            keyValues = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(definition, ct).ConfigureAwait(false))
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"'{definition}' is not a JSON object of the store's featurizer ({e.Message}).", e);
        }

        return FeatureStoreKeyValues.Parse(keyValues, definition);
    }

    private void ThrowIfDifferent(FeatureStoreMetadata metadata, FeatureStoreMetadata found, string place) =>
        FeaturizerMismatch.ThrowIfDifferent(
            metadata,
            found,
            FeaturizerMatch.Store,
            place,
            $"shard {Shard}",
            "the shards of one store must share one model and preprocessing, so write to another output directory");

    /// <summary>
    /// Commits the attempt at <paramref name="attemptDirectory"/> unless another attempt of this
    /// shard already has: returns whether this one won. The loser's folder is deleted; either way
    /// the winner's files are then published.
    /// </summary>
    public bool TryCommit(string attemptDirectory)
    {
        var attempt = Path.GetFileName(attemptDirectory)[AttemptPrefix.Length..];
        var won = FirstWriterWins.TryCreate(Marker, attempt + "\n");
        if (!won)
        {
            DeleteFolder(attemptDirectory);
        }

        Publish();
        return won;
    }

    /// <summary>
    /// Renames the committed attempt's parts (Arrow twins first, as a part's own close does) and
    /// rejects into the store under this shard's names, then deletes its folder. Idempotent, and
    /// safe to run from two processes at once: a file already moved is skipped.
    /// </summary>
    public void Publish()
    {
        if (CommittedAttempt is not { } attempt)
        {
            return;
        }

        var folder = AttemptDirectoryOf(Root, Shard, attempt);
        if (!Directory.Exists(folder))
        {
            return;
        }

        try
        {
            var features = FeatureStoreLayout.FeaturesDirectory(folder);
            foreach (var extension in new[] { FeatureStoreLayout.ArrowExtension, FeatureStoreLayout.ParquetExtension })
            {
                foreach (var (number, path) in FeatureStoreLayout.FindParts(features, extension))
                {
                    MoveIfThere(path, Path.Combine(FeaturesDirectory, FeatureStoreLayout.PartFileName(number, Shard, extension)));
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Another process publishing this shard at the same time finished and is deleting the
            // folder (its features/ first) while this one lists it: the winner's folder is deleted
            // only after every file of it is moved, so the shard is published.
            return;
        }

        MoveIfThere(Path.Combine(folder, FeatureStoreLayout.RejectsFile), Path.Combine(Root, FeatureStoreLayout.RejectsFileName(Shard)));
        DeleteFolder(folder);
    }

    /// <summary>
    /// Writes <c>features/_SUCCESS</c> when every shard of the store is published, and then deletes
    /// the attempts folder (what killed or losing attempts left); returns whether the store is complete.
    /// </summary>
    public bool TryComplete()
    {
        // Every shard is checked even when _SUCCESS exists: the attempts folder may still hold a
        // committed shard's winner whose renames were cut short, and deleting it would lose its rows.
        for (var index = 0; index < Shard.Count; index++)
        {
            if (!IsPublished(Root, new Shard(index, Shard.Count)))
            {
                return false;
            }
        }

        var success = Path.Combine(FeaturesDirectory, FeatureStoreLayout.SuccessMarker);
        if (!File.Exists(success))
        {
            using var stream = new FileStream(success, FileMode.Create, FileAccess.Write, FileShare.None);
            stream.Flush(flushToDisk: true);
        }

        DeleteFolder(Path.Combine(Root, FeatureStoreLayout.AttemptsFolder));
        return true;
    }

    /// <summary>
    /// Refuses a sharded store that is not complete: a shard without its marker, one whose files are
    /// not all moved in, or no <c>features/_SUCCESS</c> yet.
    /// </summary>
    /// <exception cref="InvalidDataException">One sentence naming the shards missing, or what else is.</exception>
    public static void ThrowIfIncomplete(string root, int count)
    {
        var missing = Uncommitted(root, count);
        if (missing.Count > 0)
        {
            throw new InvalidDataException(string.Create(
                CultureInfo.InvariantCulture,
                $"Feature store '{root}' is not complete, so its parts are not merged: {(missing.Count == 1 ? "shard" : "shards")} {string.Join(", ", missing.Take(10))}{(missing.Count > 10 ? ", …" : string.Empty)} of its {count} {(missing.Count == 1 ? "has" : "have")} not committed; run {(missing.Count == 1 ? "it" : "them")} first."));
        }

        if (Enumerable.Range(0, count).Select(i => new Shard(i, count)).FirstOrDefault(s => !IsPublished(root, s)) is { } unmoved)
        {
            throw new InvalidDataException($"Feature store '{root}' is not complete, so its parts are not merged: shard {unmoved} committed but not all of its files are in the store yet; run that shard again to finish moving them.");
        }

        if (!File.Exists(Path.Combine(FeatureStoreLayout.FeaturesDirectory(root), FeatureStoreLayout.SuccessMarker)))
        {
            throw new InvalidDataException($"Feature store '{root}' is not complete, so its parts are not merged: every shard committed but {FeatureStoreLayout.SuccessMarker} is missing; run any shard again to write it.");
        }
    }

    /// <summary>Shards with no marker yet, in index order.</summary>
    public static IReadOnlyList<Shard> Uncommitted(string root, int count) =>
        Enumerable.Range(0, count).Select(i => new Shard(i, count)).Where(s => !File.Exists(MarkerOf(root, s))).ToArray();

    private const string AttemptPrefix = "attempt-";

    /// <summary>The store's featurizer, as the first shard to start defined it.</summary>
    private const string FeaturizerFile = "featurizer.json";

    private static string AttemptDirectoryOf(string root, Shard shard, string attempt) =>
        Path.Combine(root, FeatureStoreLayout.AttemptsFolder, shard.Name, AttemptPrefix + attempt);

    private static IEnumerable<string> Names(string folder, string extension) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*" + extension).Select(f => Path.GetFileNameWithoutExtension(f))
            : [];

    /// <summary>Renames one committed file into the store; a file another publisher of the shard moved first is skipped.</summary>
    internal static void MoveIfThere(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException && !File.Exists(from))
        {
            // Another process finishing the same publish moved it first: only publishers take files out
            // of a committed attempt. The target need not be there any more: once that publish completed
            // the store, store compact may have renamed every part out of its shard's name.
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Deleted by another process of the store at the same time.
        }
        catch (IOException)
        {
            // A file appeared while deleting (an attempt still writing): left to the next completion.
        }
    }
}
