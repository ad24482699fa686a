using Pipeline.Fuzz;
using SharpFuzz;

// Under afl-fuzz: `dotnet Pipeline.Fuzz.dll decode|load` reads each input on stdin, in SharpFuzz's
// persistent out-of-process mode. Alone, it runs the stdin input once and lets a finding's exception
// print its stack trace, which is how a crash is reproduced: `dotnet Pipeline.Fuzz.dll decode < crash`.
switch (args)
{
    case ["decode"]:
        Fuzz(() => new DecodeTarget());
        return 0;
    case ["load"]:
        Fuzz(() => new LoadTarget());
        return 0;
    case ["seeds", var decodeFolder, var loadFolder]:
        await SeedWriter.WriteAsync(decodeFolder, loadFolder).ConfigureAwait(false);
        return 0;
    default:
        Console.Error.WriteLine("usage: Pipeline.Fuzz decode|load < input, or Pipeline.Fuzz seeds DECODE_DIR LOAD_DIR");
        return 2;
}

// An input that makes one execution allocate more than MaxAllocatedBytes of managed memory is a
// finding even when the run then fails cleanly: it is a claim in the input sized a buffer. (The GC
// heap limit that run.sh sets catches the larger ones as OutOfMemoryException.)
// PIPELINE_FUZZ_EXPECT (run.sh tmin sets it) narrows what counts as a crash to findings whose type
// and message contain it, so that afl-tmin shrinks an input without drifting to another bug.
// Out of process: a hang or a stack overflow kills only the child, which SharpFuzz restarts, so
// afl-fuzz records it and goes on instead of losing its fork server. The target is made inside the
// first call because instrumented code must not run before SharpFuzz has mapped the coverage
// memory (it crashes with an AccessViolationException); that first call's coverage is discarded.
static void Fuzz(Func<IFuzzTarget> create)
{
    const long MaxAllocatedBytes = 256L * 1024 * 1024;
    var underAfl = Environment.GetEnvironmentVariable("__AFL_SHM_ID") is not null;
    var expect = Environment.GetEnvironmentVariable("PIPELINE_FUZZ_EXPECT") is { Length: > 0 } e ? e : null;
    var input = new MemoryStream();
    IFuzzTarget? target = null;
    Fuzzer.OutOfProcess.Run(stream =>
    {
        target ??= create();
        input.SetLength(0);
        stream.CopyTo(input);
        string outcome;
        try
        {
            var before = GC.GetTotalAllocatedBytes();
            outcome = target.Run(input.GetBuffer().AsSpan(0, (int)input.Length));
            var allocated = GC.GetTotalAllocatedBytes() - before;
            if (allocated > MaxAllocatedBytes)
            {
                throw new FuzzFindingException($"A {input.Length}-byte input allocated {allocated} bytes of managed memory ({outcome}).");
            }
        }
        catch (Exception finding) when (expect is not null && !$"{finding.GetType().Name}: {finding.Message}".Contains(expect, StringComparison.Ordinal))
        {
            outcome = $"another finding: {finding.GetType().Name}: {finding.Message}";
        }

        if (!underAfl)
        {
            Console.WriteLine(outcome);
        }
    });
}
