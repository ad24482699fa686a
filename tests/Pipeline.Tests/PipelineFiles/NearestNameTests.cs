using Pipeline.PipelineFiles;

namespace Pipeline.Tests.PipelineFiles;

public sealed class NearestNameTests
{
    [Theory]
    [InlineData("regParm", "regParam")]
    [InlineData("cdua", "cuda")]
    [InlineData("MAXITER", "maxIter")]
    [InlineData("elasticnetparm", "elasticNetParam")]
    public void Find_Typo_ReturnsIntendedName(string typo, string expected) =>
        Assert.Equal(expected, NearestName.Find(typo, ["maxIter", "regParam", "elasticNetParam", "cpu", "cuda", "auto"]));

    [Fact]
    public void Find_UnrelatedWord_ReturnsNull() =>
        Assert.Null(NearestName.Find("zzzzzzzz", ["maxIter", "regParam"]));

    [Theory]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("ab", "ba", 1)]
    public void Distance_KnownPairs_MatchesOptimalStringAlignment(string a, string b, int expected) =>
        Assert.Equal(expected, NearestName.Distance(a, b));
}
