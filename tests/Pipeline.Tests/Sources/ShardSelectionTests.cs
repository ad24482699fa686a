using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class ShardSelectionTests
{
    [Fact]
    public void Resolve_AutoInASlurmArray_TakesTheTaskIdLessTheMinimum()
    {
        var shard = ShardSelection.Resolve("auto", 0, Variables(("SLURM_ARRAY_TASK_ID", "7"), ("SLURM_ARRAY_TASK_MIN", "5"), ("SLURM_ARRAY_TASK_COUNT", "4")), out var how);

        Assert.Equal(new Shard(2, 4), shard);
        Assert.Equal("shard 2/4 from SLURM_ARRAY_TASK_ID=7, SLURM_ARRAY_TASK_MIN=5, SLURM_ARRAY_TASK_COUNT=4", how);
    }

    [Fact]
    public void Resolve_AutoInAnIndexedJob_TakesTheCompletionIndexAndTheGivenCount()
    {
        var shard = ShardSelection.Resolve("auto", 8, Variables(("JOB_COMPLETION_INDEX", "3")), out var how);

        Assert.Equal(new Shard(3, 8), shard);
        Assert.Contains("JOB_COMPLETION_INDEX=3", how, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("JOB_COMPLETION_INDEX", "3", 0, "give --shard-count")]
    [InlineData("JOB_COMPLETION_INDEX", "8", 8, "outside the 8 shards")]
    [InlineData("JOB_COMPLETION_INDEX", "x", 8, "not a whole number")]
    [InlineData("SLURM_ARRAY_TASK_ID", "4", 0, "not SLURM_ARRAY_TASK_COUNT")]
    [InlineData("OTHER", "1", 4, "neither is set")]
    public void Resolve_AutoWithoutUsableVariables_FailsNamingWhatIsMissing(string variable, string value, int count, string expected)
    {
        var e = Assert.Throws<FormatException>(() => ShardSelection.Resolve("auto", count, Variables((variable, value)), out _));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0", "8", "2", "SLURM_ARRAY_TASK_STEP is 2")]
    [InlineData("0", "8", "1", "has gaps")]
    [InlineData("0", "7", null, "has gaps")]
    public void Resolve_SlurmArrayWithAStepOrAList_IsRefusedForEveryTask(string id, string max, string? step, string expected)
    {
        // --array=0-9:2 (COUNT 5, MAX 8, STEP 2) and --array=0,3,7 (COUNT 3, MAX 7): task ids are no shard indices.
        var count = step == "2" ? "5" : "3";
        var variables = new List<(string, string)> { ("SLURM_ARRAY_TASK_ID", id), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", max), ("SLURM_ARRAY_TASK_COUNT", count) };
        if (step is not null)
        {
            variables.Add(("SLURM_ARRAY_TASK_STEP", step));
        }

        var e = Assert.Throws<FormatException>(() => ShardSelection.Resolve("auto", 0, Variables([.. variables]), out _));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ContiguousSlurmArrayWithMaxAndStepOne_TakesTheTaskId()
    {
        var shard = ShardSelection.Resolve("auto", 0, Variables(("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "9"), ("SLURM_ARRAY_TASK_COUNT", "10"), ("SLURM_ARRAY_TASK_STEP", "1")), out _);

        Assert.Equal(new Shard(9, 10), shard);
    }

    [Fact]
    public void Resolve_SlurmTaskPastTheCount_FailsNamingTheArray()
    {
        var e = Assert.Throws<FormatException>(() => ShardSelection.Resolve("auto", 0, Variables(("SLURM_ARRAY_TASK_ID", "9"), ("SLURM_ARRAY_TASK_COUNT", "4")), out _));

        Assert.Contains("--array=0-3", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("none", null)]
    [InlineData("2/5", "2/5")]
    public void Resolve_Given_IsTaken(string text, string? expected) =>
        Assert.Equal(expected, ShardSelection.Resolve(text, 0, _ => null, out _)?.ToString());

    [Theory]
    [InlineData("5/5")]
    [InlineData("1/0")]
    [InlineData("-1/4")]
    [InlineData("1of4")]
    public void Parse_NotAShard_Fails(string text) =>
        Assert.Throws<FormatException>(() => Shard.Parse(text));

    private static Func<string, string?> Variables(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;
}
