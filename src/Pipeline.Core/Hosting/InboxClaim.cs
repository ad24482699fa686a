namespace Pipeline.Hosting;

/// <summary>A pipeline file this worker owns: moved from the inbox to <c>.claimed/&lt;name&gt;.&lt;workerId&gt;</c>.</summary>
/// <param name="Path">The claimed file, absolute.</param>
/// <param name="FileName">The file's name in the inbox (<c>x.yaml</c>).</param>
internal sealed record InboxClaim(string Path, string FileName);
