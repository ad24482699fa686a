namespace Pipeline.Featurization;

/// <summary>What a streaming run does with a landed file once its row or reject is committed (YAML <c>stream.after</c>).</summary>
public enum LandedFileAction
{
    /// <summary>Leave it where it landed; the feature cache keeps it from being featurized again.</summary>
    Keep,

    /// <summary>Move it under <see cref="StreamOptions.ArchiveFolder"/>, its full path mirrored there.</summary>
    Archive,

    /// <summary>Delete it.</summary>
    Delete,
}
