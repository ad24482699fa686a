using System.Diagnostics;
using Pipeline.Tests.Runs;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Tests.Deploy;

/// <summary>
/// The scale-out samples say what README's "Scaling out" promises: no cluster runs here, so the
/// manifests are parsed and their kinds and fields checked, the Dockerfile's stages and user read, and
/// the sbatch script run as Slurm would run one array task, with a stand-in for the CLI.
/// </summary>
public sealed class ScaleOutSampleTests
{
    private static readonly string Kubernetes = Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes");

    [Fact]
    public void FeaturizeJob_IsAnIndexedJobOfNShardsOnTheSharedVolume()
    {
        var job = Load("featurize-job.yaml");
        var spec = (YamlMappingNode)At(job, "spec");
        var pod = (YamlMappingNode)At(spec, "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)At(pod, "containers"))[0];
        var args = ((YamlSequenceNode)At(container, "args")).Select(a => ((YamlScalarNode)a).Value!).ToList();

        Assert.Equal(("batch/v1", "Job"), (Scalar(job, "apiVersion"), Scalar(job, "kind")));
        Assert.Equal("Indexed", Scalar(spec, "completionMode"));
        Assert.Equal("Failed", Scalar(spec, "podReplacementPolicy"));
        Assert.True(int.Parse(Scalar(spec, "backoffLimitPerIndex"), System.Globalization.CultureInfo.InvariantCulture) >= 1);
        Assert.Equal("Never", Scalar(pod, "restartPolicy"));
        Assert.Equal(Scalar(spec, "completions"), Scalar(spec, "parallelism"));
        Assert.Equal("featurize", args[0]);
        Assert.Equal("auto", args[args.IndexOf("--shard") + 1]);
        Assert.Equal(Scalar(spec, "completions"), args[args.IndexOf("--shard-count") + 1]);
        Assert.Equal("true", Scalar((YamlMappingNode)At(pod, "securityContext"), "runAsNonRoot"));
        Assert.Equal("pipeline-data", ClaimName(pod));
    }

    [Fact]
    public void WorkerDeployment_RunsSeveralNonRootReplicasOnTheSharedVolume()
    {
        var deployment = Load("worker-deployment.yaml");
        var pod = (YamlMappingNode)At(deployment, "spec", "template", "spec");

        Assert.Equal(("apps/v1", "Deployment"), (Scalar(deployment, "apiVersion"), Scalar(deployment, "kind")));
        Assert.True(int.Parse(Scalar((YamlMappingNode)At(deployment, "spec"), "replicas"), System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.Equal("true", Scalar((YamlMappingNode)At(pod, "securityContext"), "runAsNonRoot"));
        Assert.Equal("pipeline-data", ClaimName(pod));
    }

    [Fact]
    public void DataVolume_IsAReadWriteManyClaimNamedAsTheSamplesMountIt()
    {
        var claim = Load("pipeline-data-pvc.yaml");

        Assert.Equal(("v1", "PersistentVolumeClaim"), (Scalar(claim, "apiVersion"), Scalar(claim, "kind")));
        Assert.Equal("pipeline-data", Scalar((YamlMappingNode)At(claim, "metadata"), "name"));
        Assert.Equal(["ReadWriteMany"], ((YamlSequenceNode)At(claim, "spec", "accessModes")).Select(a => ((YamlScalarNode)a).Value));
    }

    [Fact]
    public void Dockerfile_BuildsOnTheSdkAndRunsOnTheRuntimeImageAsANonRootUser()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "Dockerfile"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        var final = lines.Skip(lines.LastIndexOf(stages[^1])).ToList();
        var user = final.Last(l => l.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Split(':')[0];

        Assert.Equal(["FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/dotnet/runtime:10.0"], stages);
        Assert.True(int.TryParse(user, out var uid) && uid > 0, $"the final stage's USER is '{user}', not a numeric non-root user");
        Assert.Contains("ENTRYPOINT [\"/srv/pipeline/bin/pipeline\"]", final);
    }

    [Fact]
    public async Task FeaturizeSbatch_ArrayTask_RunsFeaturizeWithShardAutoAndPassesItsExitCodeOn()
    {
        using var dir = new TempFolder();
        var calls = dir.Combine("calls.txt");
        var standIn = dir.Write("pipeline-stand-in.sh", System.Text.Encoding.UTF8.GetBytes(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done >\"$CALLS\"\nexit 3\n"));
        var start = new ProcessStartInfo("bash") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "deploy", "slurm", "featurize.sbatch"));
        start.ArgumentList.Add("/data/my images");
        start.ArgumentList.Add("/data/store");
        start.ArgumentList.Add("--batch-size");
        start.ArgumentList.Add("16");
        // A command with its arguments, as `PIPELINE_CMD="dotnet /opt/pipeline/pipeline.dll"` would be.
        start.Environment["PIPELINE_CMD"] = $"sh {standIn}";
        start.Environment["CALLS"] = calls;
        start.Environment["SLURM_ARRAY_TASK_ID"] = "2";
        start.Environment["SLURM_ARRAY_TASK_COUNT"] = "4";
        start.Environment["SLURM_CPUS_PER_TASK"] = "3";

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 3, $"exit {process.ExitCode}: {output}{error}");
        Assert.Equal(
            ["featurize", "--input", "/data/my images", "--output", "/data/store", "--shard", "auto", "--parallelism", "3", "--batch-size", "16"],
            await File.ReadAllLinesAsync(calls));
    }

    [Fact]
    public void FeaturizeSbatch_AsksSlurmForAnArrayTaskWithALogOfItsOwn()
    {
        var directives = File.ReadAllLines(Path.Combine(RepositoryRoot.Path, "deploy", "slurm", "featurize.sbatch"))
            .Where(l => l.StartsWith("#SBATCH ", StringComparison.Ordinal))
            .Select(l => l["#SBATCH ".Length..])
            .ToList();

        Assert.Contains("--output=pipeline-featurize-%A_%a.log", directives);
        Assert.Contains(directives, d => d.StartsWith("--cpus-per-task=", StringComparison.Ordinal));
        Assert.Contains(directives, d => d.StartsWith("--mem=", StringComparison.Ordinal));
    }

    private static YamlMappingNode Load(string file)
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(Kubernetes, file)))
        {
            yaml.Load(reader);
        }

        return (YamlMappingNode)Assert.Single(yaml.Documents).RootNode;
    }

    private static string ClaimName(YamlMappingNode pod) =>
        Scalar((YamlMappingNode)At(((YamlSequenceNode)At(pod, "volumes")).Cast<YamlMappingNode>().Single(), "persistentVolumeClaim"), "claimName");

    private static YamlNode At(YamlNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
