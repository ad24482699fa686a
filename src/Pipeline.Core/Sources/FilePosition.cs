namespace Pipeline.Sources;

/// <summary>A file's place in listing order: its label folder's index, then its path below that folder, ordinally.</summary>
internal readonly record struct FilePosition(int LabelIndex, string RelativePath) : IComparable<FilePosition>
{
    public int CompareTo(FilePosition other) =>
        LabelIndex != other.LabelIndex ? LabelIndex.CompareTo(other.LabelIndex) : string.CompareOrdinal(RelativePath, other.RelativePath);
}
