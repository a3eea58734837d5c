using Herald.AspNetCore;
using Herald.Core;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Storage.Sqlite;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Herald.Server;

/// <summary>Builds the standalone server; <c>Program</c> runs it and tests start it on a loopback port.</summary>
public static partial class HeraldServer
{
    [LoggerMessage(3000, LogLevel.Information, "Storage: SQLite at {Path}")]
    private static partial void SqliteStorage(this ILogger logger, string path);

    /// <summary>Where the server listens when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:5080";

    /// <summary>Creates the application from command-line arguments, environment and appsettings.json.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, TextWriter? output = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Hosting logs full request URLs, which may carry ?token=, and only at Information and Debug. Off altogether: while
        // any level of it is on, hosting also gives every request an Activity for its log scope, and a WebSocket keeps its
        // request (and so the Activity) for the life of the connection.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configure?.Invoke(builder);
        // The default address, unless --urls, URLS, ASPNETCORE_URLS or ASPNETCORE_HTTP(S)_PORTS chose one.
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]) && string.IsNullOrEmpty(builder.Configuration["https_ports"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }
        var credentials = DevelopmentCredentials.EnsureConfigured(builder.Configuration);

        // A pipe flush sends on the flushing thread instead of handing the send to Kestrel's I/O queue: one thread hop
        // less per write (docs/benchmarks.md). Application code still runs on thread-pool threads, as socket completions
        // are dispatched there (DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS stays off).
        builder.Services.Configure<SocketTransportOptions>(o => o.UnsafePreferInlineScheduling = true);
        AddStorage(builder);
        builder.Services.AddSingleton<Herald.Core.Operations.IOperationHandler, DemoSleepHandler>();
        builder.Services.AddHerald();
        builder.Services.AddOpenApi();

        var app = builder.Build();
        if (credentials is not null)
        {
            // Printed once the server is up, so a configuration error is not buried under them.
            var writer = output ?? Console.Out;
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                writer.Write(credentials);
                writer.Flush();
            });
        }
        app.UseCors();
        app.MapOpenApi();
        app.MapHerald();
        app.MapGet("/", () => TypedResults.Ok(new
        {
            name = "Herald",
            websocket = "/ws",
            socketIO = "/socket.io/",
            sse = "/sse?channel=…",
            openapi = "/openapi/v1.json",
            health = "/health",
        })).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The stores <c>Herald:Storage:Provider</c> names. For SQLite, history, operations and
    /// notifications share one database file and connection; the container creates the database
    /// before the stores and disposes it after them (a clean close, so epochs survive the restart).
    /// </summary>
    private static void AddStorage(WebApplicationBuilder builder)
    {
        var storage = new StorageOptions();
        builder.Configuration.GetSection($"{HeraldOptions.SectionName}:Storage").Bind(storage);
        if (storage.Provider != StorageProvider.Sqlite)
        {
            return;
        }
        var path = Path.GetFullPath(storage.SqlitePath);
        builder.Services.AddSingleton(sp =>
        {
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("Herald.Server").SqliteStorage(path);
            return new SqliteDatabase(path);
        });
        builder.Services.AddSingleton<IHistoryStore>(sp => new SqliteHistoryStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IOperationStore>(sp => new SqliteOperationStore(sp.GetRequiredService<SqliteDatabase>()));
        builder.Services.AddSingleton<INotificationStore>(sp => new SqliteNotificationStore(sp.GetRequiredService<SqliteDatabase>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<UncleanShutdownReport>();
    }

    /// <summary>Says so when the last run did not close the database cleanly (its channels got new epochs).</summary>
    private sealed class UncleanShutdownReport(SqliteDatabase database, ILogger<UncleanShutdownReport> logger) : IHostedLifecycleService
    {
        public Task StartedAsync(CancellationToken cancellationToken)
        {
            if (database.PreviousShutdownWasUnclean)
            {
                logger.UncleanShutdown(database.Path);
            }
            return Task.CompletedTask;
        }

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [LoggerMessage(3001, LogLevel.Warning, "The previous run did not close {Path} cleanly: every channel got a new epoch, so clients refetch instead of trusting positions that may have been lost")]
    private static partial void UncleanShutdown(this ILogger logger, string path);

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
        catch (InvalidOperationException ex) when (ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase))
        {
            // Unknown keys and values that do not convert (MaxFrameBytes=64k): the binder names the key.
            await Console.Error.WriteLineAsync("Herald cannot start: the configuration is invalid.").ConfigureAwait(false);
            for (Exception? e = ex; e is not null; e = e.InnerException)
            {
                await Console.Error.WriteLineAsync("  " + e.Message).ConfigureAwait(false);
            }
            return 2;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            // The port is taken, the database cannot be opened: one clear line, no stack trace.
            await Console.Error.WriteLineAsync($"Herald cannot start: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }
}
