namespace Pipeline.Runs;

/// <summary>Where a run (or one of its stages) stands, as written in <c>run.json</c>.</summary>
public enum RunState
{
    /// <summary>Accepted, not started.</summary>
    Pending,

    /// <summary>In progress (or its process died; a worker lease decides).</summary>
    Running,

    /// <summary>Finished successfully.</summary>
    Completed,

    /// <summary>Stopped by an error; <see cref="RunRecord.Error"/> says which.</summary>
    Failed,

    /// <summary>Stopped by shutdown; the next start resumes it.</summary>
    Interrupted,
}
