namespace Pipeline.Models;

/// <summary>
/// One named feature node of a zoo entry (<c>layers</c> in <c>config/models.yaml</c>), e.g. a
/// ResNet stage's output, that a run can read alongside others (<c>--layers</c>, YAML <c>model.layers</c>).
/// </summary>
/// <param name="Name">The name runs use, e.g. <c>stage2</c>.</param>
/// <param name="Node">The graph tensor.</param>
/// <param name="Shape">Its shape without the batch axis, in the model's layout.</param>
public sealed record FeatureLayer(string Name, string Node, IReadOnlyList<int> Shape);
