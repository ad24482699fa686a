using System.Diagnostics;
using System.Net.Sockets;

namespace Pipeline.Tests;

/// <summary>File system objects that are not regular files, made the way a user's shell would make them.</summary>
internal static class SpecialFiles
{
    /// <summary>A FIFO at <paramref name="path"/>, made by mkfifo(1) (coreutils); nobody ever writes to it.</summary>
    public static string Fifo(string path)
    {
        using var mkfifo = Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.True(mkfifo.ExitCode == 0, $"mkfifo {path} failed");
        return path;
    }

    /// <summary>A Unix domain socket bound at <paramref name="path"/>; .NET removes the file when the socket is disposed.</summary>
    public static Socket Socket(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    /// <summary>A symbolic link at <paramref name="path"/> to <paramref name="target"/>.</summary>
    public static string Link(string path, string target)
    {
        File.CreateSymbolicLink(path, target);
        return path;
    }
}
