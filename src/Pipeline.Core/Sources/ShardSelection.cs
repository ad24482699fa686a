using System.Globalization;

namespace Pipeline.Sources;

/// <summary>
/// What <c>--shard</c> (pipeline files: <c>featurize.shard</c>) says: <c>none</c>, <c>i/N</c>, or
/// <c>auto</c>, which reads the scheduler's variables: a Slurm job array's
/// <c>SLURM_ARRAY_TASK_ID</c> and <c>SLURM_ARRAY_TASK_COUNT</c> (less <c>SLURM_ARRAY_TASK_MIN</c>,
/// so <c>--array=1-4</c> is shards 0…3; an array with a step or gaps is refused), or a Kubernetes Indexed Job's <c>JOB_COMPLETION_INDEX</c>
/// with the shard count given (<c>--shard-count</c>, the Job's completions), which Kubernetes does
/// not put in the environment.
/// </summary>
internal static class ShardSelection
{
    public const string None = "none";
    public const string Auto = "auto";

    /// <summary>
    /// The shard <paramref name="text"/> names, null for <c>none</c>, and in <paramref name="how"/>
    /// the sentence a log line says it with (which variables <c>auto</c> used).
    /// </summary>
    /// <param name="text">none, i/N or auto.</param>
    /// <param name="count">The shard count given with auto (0 when none was): required with JOB_COMPLETION_INDEX, checked against Slurm's.</param>
    /// <param name="environment">Reads a variable; <see cref="Environment.GetEnvironmentVariable(string)"/> outside tests.</param>
    /// <param name="how">For a shard, how it was chosen.</param>
    /// <exception cref="FormatException">The text, the variables or the count do not name one shard; the message names what is missing or out of range.</exception>
    public static Shard? Resolve(string text, int count, Func<string, string?> environment, out string how)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(environment);
        var trimmed = text.Trim();
        if (string.Equals(trimmed, None, StringComparison.OrdinalIgnoreCase))
        {
            how = "not sharded";
            return null;
        }

        if (!string.Equals(trimmed, Auto, StringComparison.OrdinalIgnoreCase))
        {
            var given = Shard.Parse(trimmed);
            if (count != 0 && count != given.Count)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"shard {given} is one of {given.Count}, but the shard count given is {count}."));
            }

            how = $"shard {given} as given";
            return given;
        }

        if (environment("SLURM_ARRAY_TASK_ID") is { } taskId)
        {
            var id = Integer("SLURM_ARRAY_TASK_ID", taskId);
            var min = environment("SLURM_ARRAY_TASK_MIN") is { } minText ? Integer("SLURM_ARRAY_TASK_MIN", minText) : 0;
            var slurmCount = environment("SLURM_ARRAY_TASK_COUNT") is { } countText
                ? Integer("SLURM_ARRAY_TASK_COUNT", countText)
                : count != 0 ? count : throw new FormatException("--shard auto found SLURM_ARRAY_TASK_ID but not SLURM_ARRAY_TASK_COUNT; give --shard-count.");
            if (count != 0 && count != slurmCount)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--shard auto: SLURM_ARRAY_TASK_COUNT is {slurmCount}, but the shard count given is {count}."));
            }

            // COUNT less MIN is a shard index only for a contiguous range: --array=0-9:2 has COUNT 5
            // but tasks 0, 2…8, and a list such as 0,3,7 has gaps too, so such arrays are refused
            // rather than leaving shards unrun.
            var step = environment("SLURM_ARRAY_TASK_STEP") is { } stepText ? Integer("SLURM_ARRAY_TASK_STEP", stepText) : 1;
            if (step != 1)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--shard auto: SLURM_ARRAY_TASK_STEP is {step}, so the array's task ids are not shard indices; submit a contiguous array such as --array=0-{Math.Max(slurmCount, 1) - 1} (no :step)."));
            }

            if (environment("SLURM_ARRAY_TASK_MAX") is { } maxText && Integer("SLURM_ARRAY_TASK_MAX", maxText) is var max && max - min + 1 != slurmCount)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--shard auto: the array runs from SLURM_ARRAY_TASK_MIN {min} to SLURM_ARRAY_TASK_MAX {max} but SLURM_ARRAY_TASK_COUNT is {slurmCount}, so it has gaps (a list or a step); submit a contiguous array such as --array=0-{Math.Max(slurmCount, 1) - 1}."));
            }

            var index = id - min;
            if (slurmCount is < 1 or > Shard.MaxCount || index < 0 || index >= slurmCount)
            {
                throw new FormatException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"--shard auto: SLURM_ARRAY_TASK_ID {id} less SLURM_ARRAY_TASK_MIN {min} is {index}, outside the {slurmCount} shards of SLURM_ARRAY_TASK_COUNT; submit a contiguous array such as --array=0-{Math.Max(slurmCount, 1) - 1}."));
            }

            how = string.Create(CultureInfo.InvariantCulture, $"shard {index}/{slurmCount} from SLURM_ARRAY_TASK_ID={id}, SLURM_ARRAY_TASK_MIN={min}, SLURM_ARRAY_TASK_COUNT={slurmCount}");
            return new Shard(index, slurmCount);
        }

        if (environment("JOB_COMPLETION_INDEX") is { } completionIndex)
        {
            var index = Integer("JOB_COMPLETION_INDEX", completionIndex);
            if (count == 0)
            {
                throw new FormatException("--shard auto found JOB_COMPLETION_INDEX, which comes without the number of shards; give --shard-count (the Job's completions).");
            }

            if (count > Shard.MaxCount || index >= count)
            {
                throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"--shard auto: JOB_COMPLETION_INDEX {index} is outside the {count} shards of --shard-count."));
            }

            how = string.Create(CultureInfo.InvariantCulture, $"shard {index}/{count} from JOB_COMPLETION_INDEX={index} and shard count {count}");
            return new Shard(index, count);
        }

        throw new FormatException("--shard auto needs SLURM_ARRAY_TASK_ID (a Slurm job array) or JOB_COMPLETION_INDEX (a Kubernetes Indexed Job), and neither is set; give the shard as i/N instead.");
    }

    private static int Integer(string variable, string value) =>
        int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : throw new FormatException($"--shard auto: {variable} is '{value}', not a whole number.");
}
