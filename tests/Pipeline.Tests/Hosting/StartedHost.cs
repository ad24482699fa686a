using Microsoft.Extensions.Hosting;

namespace Pipeline.Tests.Hosting;

/// <summary>Builds and starts a host for a test, disposing it when the start fails so no half-started worker outlives the test.</summary>
internal static class StartedHost
{
    public static async Task<IHost> StartAsync(HostApplicationBuilder builder)
    {
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }
}
