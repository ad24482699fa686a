namespace Pipeline.Sources;

/// <summary>
/// A data set that cannot be read at all: a missing input, a folder without images, a manifest
/// without the required columns. The message is one sentence naming the path (and, for a
/// manifest, the line or row and the column).
/// </summary>
public sealed class SourceException : Exception
{
    public SourceException(string message)
        : base(message)
    {
    }

    public SourceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
