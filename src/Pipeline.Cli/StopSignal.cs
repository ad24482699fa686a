using System.Runtime.InteropServices;

namespace Pipeline.Cli;

/// <summary>
/// SIGINT (Ctrl+C) and SIGTERM as a token, for a command that bounds its own stop with a
/// <see cref="Hosting.DrainDeadline"/> instead of System.CommandLine's fixed wait, after which the
/// process would exit under a run still committing its rows.
/// </summary>
internal sealed class StopSignal : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

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
        // Cancel the default (terminate the process): the command ends by itself once it has committed.
        context.Cancel = true;
        _stop.Cancel();
    });
}
