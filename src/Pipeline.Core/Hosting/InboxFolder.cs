using Pipeline.IO;
using Pipeline.Runs;

namespace Pipeline.Hosting;

/// <summary>
/// The inbox protocol on disk, safe for several workers on one folder (same file system):
/// <c>inbox/x.yaml</c> is claimed by renaming it to <c>inbox/.claimed/x.yaml.&lt;workerId&gt;</c>, and ends
/// in <c>inbox/done/</c> or <c>inbox/failed/</c> with a copy of its run.json (and an <c>.error.txt</c>).
/// </summary>
internal sealed class InboxFolder
{
    private readonly string _workerId;
    private readonly TimeProvider _time;

    public InboxFolder(string root, string workerId, TimeProvider time)
    {
        Root = root;
        _workerId = workerId;
        _time = time;
        Claimed = Path.Combine(root, ".claimed");
        Done = Path.Combine(root, "done");
        Failed = Path.Combine(root, "failed");
    }

    public string Root { get; }

    public string Claimed { get; }

    public string Done { get; }

    public string Failed { get; }

    public void Create()
    {
        Directory.CreateDirectory(Claimed);
        Directory.CreateDirectory(Done);
        Directory.CreateDirectory(Failed);
    }

    /// <summary>Claims the first unclaimed pipeline file (ordinal name order), or returns null when there is none.</summary>
    public InboxClaim? TryClaimNext()
    {
        foreach (var file in Directory.EnumerateFiles(Root).Where(IsPipelineFile).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file);
            var target = ClaimPath(name);

            // Only this worker creates names ending in its id, and it claims one file at a time, so an
            // existing target means its own run of a same-named file is still in flight: leave this one.
            if (!File.Exists(target) && TryMoveToClaim(file, target))
            {
                return new InboxClaim(target, name);
            }
        }

        return null;
    }

    /// <summary>Claims left by an earlier process with this worker's id: it cannot be running them now.</summary>
    public IReadOnlyList<InboxClaim> OwnClaims() =>
        [.. ClaimFiles().Where(c => c.Owner == _workerId).Select(c => new InboxClaim(c.Path, c.FileName))];

    /// <summary>Takes over one claim of another worker whose lease expired, or returns null.</summary>
    public InboxClaim? TryTakeOverExpired(TimeSpan lease)
    {
        var expiredBefore = _time.GetUtcNow().UtcDateTime - lease;
        foreach (var claim in ClaimFiles().Where(c => c.Owner != _workerId))
        {
            var target = ClaimPath(claim.FileName);
            if (!File.Exists(target) && File.GetLastWriteTimeUtc(claim.Path) < expiredBefore && TryMoveToClaim(claim.Path, target))
            {
                return new InboxClaim(target, claim.FileName);
            }
        }

        return null;
    }

    /// <summary>Refreshes the lease of a claim; false when it was lost (taken over after an expired lease).</summary>
    public bool Renew(InboxClaim claim)
    {
        try
        {
            File.SetLastWriteTimeUtc(claim.Path, _time.GetUtcNow().UtcDateTime);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Files a finished claim under done/ or failed/ with its run.json copy and, for failures, the error
    /// text. The pipeline file arrives last, so whoever sees it there finds the files beside it complete;
    /// if they cannot be written, the claim stays put for <see cref="FailAsync"/>.
    /// </summary>
    /// <returns>The file's new path.</returns>
    public async Task<string> FinishAsync(InboxClaim claim, RunResult result)
    {
        var folder = result.State == RunState.Completed ? Done : Failed;
        var target = UniqueTarget(folder, claim.FileName);
        var stem = Path.ChangeExtension(target, null);
        if (result.Folder is { } runFolder && File.Exists(runFolder.RunJson))
        {
            File.Copy(runFolder.RunJson, stem + ".run.json", overwrite: true);
        }

        if (result.State != RunState.Completed)
        {
            await AtomicFile.WriteAllTextAsync(stem + ".error.txt", (result.Error ?? "the run failed") + Environment.NewLine).ConfigureAwait(false);
        }

        File.Move(claim.Path, target, overwrite: false);
        return target;
    }

    /// <summary>Files a claim under failed/ with <paramref name="error"/> (for errors outside the run itself), the error text first.</summary>
    public async Task FailAsync(InboxClaim claim, string error)
    {
        var target = UniqueTarget(Failed, claim.FileName);
        await AtomicFile.WriteAllTextAsync(Path.ChangeExtension(target, null) + ".error.txt", error + Environment.NewLine).ConfigureAwait(false);
        File.Move(claim.Path, target, overwrite: false);
    }

    /// <summary>
    /// Puts an interrupted claim back in the inbox so that the next worker (or the next start) picks it up
    /// and, finding run.json interrupted, resumes it. False when a same-named file arrived meanwhile; the
    /// claim then stays and is resumed by this worker id's next start or taken over after the lease.
    /// </summary>
    public bool Release(InboxClaim claim)
    {
        try
        {
            File.Move(claim.Path, Path.Combine(Root, claim.FileName), overwrite: false);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsPipelineFile(string path)
    {
        var name = Path.GetFileName(path);
        return !name.StartsWith('.')
            && (name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Renames <paramref name="file"/> to this worker's <paramref name="target"/>; false when another worker got it first.</summary>
    private bool TryMoveToClaim(string file, string target)
    {
        try
        {
            // Touch first: rename keeps the mtime, and a stale mtime would make the fresh claim look
            // like a dead worker's to the lease check.
            File.SetLastWriteTimeUtc(file, _time.GetUtcNow().UtcDateTime);

            // rename(2) is the lock: of several workers renaming one file, exactly one succeeds and
            // the rest get FileNotFound. overwrite: true matters. Without it .NET on Unix moves by
            // link(2) + unlink(2) and ignores ENOENT from unlink, so two workers could both "succeed".
            // The target name is unique to this worker, so overwriting never clobbers another claim.
            File.Move(file, target, overwrite: true);
            return true;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Another worker claimed or took it over between listing and renaming.
            return false;
        }
    }

    private string ClaimPath(string fileName) => Path.Combine(Claimed, $"{fileName}.{_workerId}");

    private IEnumerable<(string Path, string FileName, string Owner)> ClaimFiles()
    {
        foreach (var path in Directory.EnumerateFiles(Claimed).Order(StringComparer.Ordinal))
        {
            // "x.yaml.worker-1": the owner follows the last dot, since worker ids contain no dots.
            var name = Path.GetFileName(path);
            var dot = name.LastIndexOf('.');
            if (dot > 0 && IsPipelineFile(name[..dot]))
            {
                yield return (path, name[..dot], name[(dot + 1)..]);
            }
        }
    }

    private string UniqueTarget(string folder, string fileName)
    {
        var target = Path.Combine(folder, fileName);
        if (!File.Exists(target))
        {
            return target;
        }

        // The same file name submitted again: keep both, the later one stamped with its finish time.
        var stamp = _time.GetUtcNow().ToString("yyyyMMdd'T'HHmmssfff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(fileName)}.{stamp}{Path.GetExtension(fileName)}");
    }
}
