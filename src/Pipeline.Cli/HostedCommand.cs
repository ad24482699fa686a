using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// A command that handles SIGTERM and Ctrl+C itself: the worker's Generic Host (stop claiming, let runs
/// flush within the grace period), or the <see cref="StopSignal"/> of <c>run</c> (the same grace period)
/// and <c>featurize</c> (<see cref="CommandRunner.StopGracePeriod"/>), so <see cref="CommandRunner"/> must
/// not take those signals from it.
/// </summary>
internal sealed class HostedCommand(string name, string description) : Command(name, description);
