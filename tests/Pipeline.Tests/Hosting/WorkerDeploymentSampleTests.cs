using Pipeline.Tests.Runs;
using YamlDotNet.RepresentationModel;

namespace Pipeline.Tests.Hosting;

/// <summary>The Kubernetes sample stays in step with the endpoint: its probes ask for the paths it serves, on the port it sets.</summary>
public sealed class WorkerDeploymentSampleTests
{
    [Fact]
    public void Sample_Probes_UseTheHealthEndpointOnTheConfiguredMetricsPort()
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(RepositoryRoot.Path, "deploy", "kubernetes", "worker-deployment.yaml")))
        {
            yaml.Load(reader);
        }

        var container = (YamlMappingNode)((YamlSequenceNode)At(yaml.Documents[0].RootNode, "spec", "template", "spec", "containers"))[0];
        var port = (YamlMappingNode)((YamlSequenceNode)At(container, "ports"))[0];
        var env = ((YamlSequenceNode)At(container, "env")).Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => e);

        Assert.Equal("9464", Scalar(port, "containerPort"));
        Assert.Equal("9464", Scalar(env["Pipeline__Metrics__Port"], "value"));
        Assert.Equal("/health", Scalar((YamlMappingNode)At(container, "readinessProbe", "httpGet"), "path"));
        Assert.Equal("/alive", Scalar((YamlMappingNode)At(container, "livenessProbe", "httpGet"), "path"));
        Assert.Equal(Scalar(port, "name"), Scalar((YamlMappingNode)At(container, "livenessProbe", "httpGet"), "port"));
        Assert.Equal(Scalar(port, "name"), Scalar((YamlMappingNode)At(container, "readinessProbe", "httpGet"), "port"));
        Assert.Equal(["worker"], ((YamlSequenceNode)At(container, "args")).Select(a => ((YamlScalarNode)a).Value));
    }

    private static YamlNode At(YamlNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => ((YamlMappingNode)current)[key]);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
