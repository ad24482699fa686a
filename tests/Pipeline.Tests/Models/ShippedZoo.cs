using Pipeline.Models;

namespace Pipeline.Tests.Models;

/// <summary>The model zoo the build copies next to the test assembly, and the ResNet18 it bundles there.</summary>
internal static class ShippedZoo
{
    public static ModelZoo Load() => ModelZoo.Load(Path.Combine(AppContext.BaseDirectory, ModelZoo.RelativePath));

    public static ResolvedModel ResNet18() => Load().Resolve("resnet18", AppContext.BaseDirectory);
}
