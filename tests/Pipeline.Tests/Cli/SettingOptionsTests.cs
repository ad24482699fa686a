using Pipeline.Cli.Commands;

namespace Pipeline.Tests.Cli;

public sealed class SettingOptionsTests
{
    /// <summary>The help ends with the definition's range; a description that gave the range too said it twice.</summary>
    [Theory]
    [InlineData("--reg-param", "Regularisation strength λ. Allowed: 0 or more.")]
    [InlineData("--elastic-net-param", "Elastic-net mixing α: 0 is L2, 1 is L1. Allowed: from 0 to 1.")]
    [InlineData("--test-fraction", "Share of rows held out for testing; 0 trains on every row (Spark's fit(df)): no evaluation unless --test-features is given. Allowed: at least 0 and less than 1.")]
    public void Number_TrainOption_StatesItsRangeOnce(string name, string help)
    {
        var option = TrainCommand.Create().Options.Single(o => o.Name == name);

        Assert.Equal(help, option.Description);
    }
}
