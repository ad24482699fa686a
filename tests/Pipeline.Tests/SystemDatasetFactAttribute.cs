namespace Pipeline.Tests;

/// <summary>
/// A test that reads a dataset Debian installs under <c>/usr/share/datasets</c>. Opt-in, because
/// the README's test command must pass on a machine with only the .NET SDK and the repository:
/// it runs when <see cref="Variable"/> is <c>1</c>, which <c>.ci/run</c> sets after installing the
/// data, and then fails (rather than skips) if the data is missing.
/// </summary>
public sealed class SystemDatasetFactAttribute : FactAttribute
{
    public const string Variable = "PIPELINE_SYSTEM_DATASETS";

    public SystemDatasetFactAttribute()
    {
        if (Environment.GetEnvironmentVariable(Variable) != "1")
        {
            Skip = $"opt-in: needs Debian's dataset-fashion-mnist; install it and set {Variable}=1";
        }
    }
}
