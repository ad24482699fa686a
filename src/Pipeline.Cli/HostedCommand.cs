using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// A command that runs a Generic Host: the host handles SIGTERM and Ctrl+C itself (stop claiming,
/// let runs flush within its shutdown timeout), so <see cref="CommandRunner"/> must not take those
/// signals from it.
/// </summary>
internal sealed class HostedCommand(string name, string description) : Command(name, description);
