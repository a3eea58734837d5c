using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Herald.AspNetCore;
using Herald.Core;
using Herald.Storage.Postgres;
using Herald.Storage.Sqlite;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;

namespace Herald.Server;

/// <summary>Builds the standalone server; <c>Program</c> runs it and tests start it on a loopback port.</summary>
public static class HeraldServer
{
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
        builder.Services.AddSingleton<Herald.Core.Operations.IOperationHandler, DemoSleepHandler>();
        AddStorage(builder.Services.AddHerald(), builder.Configuration);
        builder.Services.AddOpenApi();
        AddOtlpExport(builder.Services, builder.Configuration);

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
        app.MapDashboard();
        return app;
    }

    /// <summary>The key under <c>Herald:Storage</c> that chooses the storage: <c>Sqlite</c>, <c>Postgres</c> or <c>Memory</c> (the default without it).</summary>
    public const string StorageProviderKey = "Provider";

    /// <summary>
    /// Chooses the storage <c>Herald:Storage:Provider</c> names on the same builder an embedding
    /// application uses: <c>Sqlite</c> is <c>UseSqlite()</c>, which reads <c>Herald:Storage:SqlitePath</c>;
    /// <c>Postgres</c> is <c>UsePostgres()</c>, which reads <c>Herald:Storage:PostgresConnectionString</c>
    /// and makes this node one of a cluster on that database;
    /// <c>Memory</c> (or no provider) is <c>UseMemory()</c>. The keys of every storage the server can
    /// choose are accepted whichever is chosen, so <c>--Herald:Storage:Provider=Memory</c> works with
    /// the shipped <c>appsettings.json</c>.
    /// </summary>
    /// <summary>
    /// OpenTelemetry over OTLP when an endpoint is configured (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>,
    /// from the environment or any configuration source): Herald's metrics (the instruments
    /// <c>/metrics</c> shows) and traces (Herald's spans under the HTTP requests that led to them).
    /// The exporter takes the other standard settings itself (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
    /// <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, …).
    /// </summary>
    private static void AddOtlpExport(IServiceCollection services, IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return;
        }
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(configuration["OTEL_SERVICE_NAME"] ?? "herald"))
            .WithMetrics(metrics => metrics.AddOtlpExporter())
            .WithTracing(tracing => tracing.AddSource(Herald.Core.HeraldTracing.SourceName).AddAspNetCoreInstrumentation().AddOtlpExporter());
    }

    private static void AddStorage(IHeraldBuilder herald, IConfiguration configuration)
    {
        herald.AcceptStorageSettings([StorageProviderKey, .. SqliteStorageOptions.SettingKeys, .. PostgresStorageOptions.SettingKeys]);
        var provider = configuration[$"{HeraldStorageSettings.SectionName}:{StorageProviderKey}"];
        if (string.IsNullOrEmpty(provider) || string.Equals(provider, "Memory", StringComparison.OrdinalIgnoreCase))
        {
            herald.UseMemory();
        }
        else if (string.Equals(provider, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            herald.UseSqlite();
        }
        else if (string.Equals(provider, "Postgres", StringComparison.OrdinalIgnoreCase))
        {
            herald.UsePostgres();
        }
        else
        {
            // Reported with the other settings at start; the memory defaults stand in until then.
            herald.Services.AddOptions<HeraldOptions>().Validate(_ => false,
                $"{HeraldStorageSettings.SectionName}:{StorageProviderKey} must be Sqlite, Postgres or Memory (was '{provider}').");
        }
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
