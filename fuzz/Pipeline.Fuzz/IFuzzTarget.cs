namespace Pipeline.Fuzz;

/// <summary>
/// One fuzz target: a product entry point fed the fuzzer's bytes. It returns normally for every
/// outcome the product promises (a reject, a typed error naming the file) and throws
/// <see cref="FuzzFindingException"/>, or lets an unexpected exception escape, for anything else,
/// which SharpFuzz reports to afl-fuzz as a crash.
/// </summary>
internal interface IFuzzTarget
{
    /// <summary>Feeds <paramref name="input"/> to the product; returns what it did, which a reproduction prints.</summary>
    string Run(ReadOnlySpan<byte> input);
}
