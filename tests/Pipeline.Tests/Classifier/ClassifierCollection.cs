namespace Pipeline.Tests.Classifier;

/// <summary>The test classes that share one <see cref="ClassifierFixture"/> (featurizing is the slow part).</summary>
[CollectionDefinition(Name)]
public sealed class ClassifierCollection : ICollectionFixture<ClassifierFixture>
{
    public const string Name = "classifier";
}
