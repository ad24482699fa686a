using System.Runtime.InteropServices;

namespace Pipeline.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM as a token, for a command that bounds its own stop with a
/// <see cref="Hosting.DrainDeadline"/> instead of System.CommandLine's fixed wait, after which the
/// process would exit under a run still committing its rows. A second signal takes the default
/// action and ends the process at once: what cannot observe the token (a library call that never
/// returns) must not make the process unstoppable short of SIGKILL, and the parts already closed
/// are on disk whatever happens to the one still open.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    /// <summary>What the first signal prints on standard error, so whoever sent it knows the stop is under way.</summary>
    public const string Stopping = "Stopping: committing the rows already featurized; signal again (Ctrl+C or SIGTERM) to end at once.";

    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    public StopSignal()
    {
        _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM)];
    }

    /// <summary>Fires at the first signal.</summary>
    public CancellationToken Token => _stop.Token;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        if (Interlocked.Increment(ref _signals) > 1)
        {
            return;
        }

        // Cancel the default (terminate the process): the command ends by itself once it has committed.
        context.Cancel = true;
        Console.Error.WriteLine(Stopping);
        _stop.Cancel();
    });
}
