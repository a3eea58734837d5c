using Herald.AspNetCore;
using Microsoft.Extensions.Options;

namespace Herald.Server;

/// <summary>Builds the standalone server; <c>Program</c> runs it and tests start it on a loopback port.</summary>
public static class HeraldServer
{
    /// <summary>Creates the application from command-line arguments, environment and appsettings.json.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, TextWriter? output = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Hosting logs full request URLs, which may carry ?token=: keep it below Information whatever the configuration says.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        configure?.Invoke(builder);
        DevelopmentCredentials.EnsureConfigured(builder.Configuration, output ?? Console.Out);

        builder.Services.AddHerald();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        app.UseCors();
        app.MapOpenApi();
        app.MapHerald();
        app.MapGet("/", () => TypedResults.Ok(new
        {
            name = "Herald",
            websocket = "/ws",
            openapi = "/openapi/v1.json",
            health = "/health",
        })).ExcludeFromDescription();
        return app;
    }

    /// <summary>Runs the server; returns the process exit code (2 for a configuration error).</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        WebApplication app;
        try
        {
            app = Build(args);
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync("Herald cannot start: the configuration is invalid.").ConfigureAwait(false);
            foreach (var failure in ex.Failures)
            {
                await Console.Error.WriteLineAsync("  " + failure).ConfigureAwait(false);
            }
            return 2;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}
