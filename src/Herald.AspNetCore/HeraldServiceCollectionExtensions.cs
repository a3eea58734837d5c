using Herald.AspNetCore.Internal;
using Herald.AspNetCore.Transports;
using Herald.Core;
using Herald.Core.Brokers;
using Herald.Core.Cluster;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore;

/// <summary>Registers Herald in any ASP.NET Core application.</summary>
public static class HeraldServiceCollectionExtensions
{
    /// <summary>The CORS policy name used by Herald's HTTP endpoints.</summary>
    public const string CorsPolicy = "Herald";

    /// <summary>
    /// Adds the Herald node, its transports and HTTP API services. Options bind from the
    /// <c>Herald</c> section when <paramref name="configure"/> does not set them, and are
    /// validated at start. The broker defaults to <see cref="MemoryBroker"/> over the chosen
    /// storage's <see cref="IHistoryStore"/>; register another <see cref="IBroker"/> before calling
    /// this to scale out.
    /// </summary>
    /// <returns>
    /// A builder to choose the storage on: <c>AddHerald().UseSqlite(path)</c> (Herald.Storage.Sqlite)
    /// keeps history, operations and notifications across restarts. Without a choice they stay in
    /// memory (<see cref="HeraldBuilderExtensions.UseMemory"/>), and a line in the log at start says so.
    /// </returns>
    public static IHeraldBuilder AddHerald(this IServiceCollection services, Action<HeraldOptions>? configure = null)
    {
        // Unknown keys are errors: a misspelt setting must stop the server, not be ignored. Herald:Storage
        // belongs to the storage packages; StorageSettingsValidator holds it to the keys they read.
        var builder = services.AddOptions<HeraldOptions>().Configure<IConfiguration>((options, configuration) =>
            new ConfigurationSectionWithout(configuration.GetSection(HeraldOptions.SectionName), "Storage")
                .Bind(options, binder => binder.ErrorOnUnknownConfiguration = true));
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldOptions>, HeraldOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldOptions>, StorageSettingsValidator>());
        services.AddOptions<HeraldStorageSettings>();
        services.TryAddSingleton<IBroker>(sp => new MemoryBroker(sp.GetRequiredService<IHistoryStore>()));
        Http.MetricsEndpoint.AddServices(services);
        services.TryAddSingleton(TimeProvider.System);
        // The memory stores, unless a storage is chosen on the returned builder (which replaces them).
        services.TryAddSingleton<IHistoryStore>(sp => new MemoryHistoryStore(sp.GetRequiredService<TimeProvider>()));
        // Presence and the node registry of this process alone, unless a storage shares them between nodes.
        services.TryAddSingleton<IPresenceStore, MemoryPresenceStore>();
        services.TryAddSingleton<IClusterMembership>(sp => new MemoryClusterMembership(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new Node(
            sp.GetRequiredService<IOptions<HeraldOptions>>().Value,
            sp.GetRequiredService<IBroker>(),
            sp.GetRequiredService<IHistoryStore>(),
            sp.GetRequiredService<HeraldMetrics>(),
            sp.GetRequiredService<ILogger<Node>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IPresenceStore>(),
            sp.GetRequiredService<IClusterMembership>()));
        services.TryAddSingleton<IOperationStore, MemoryOperationStore>();
        services.TryAddSingleton<INotificationStore, MemoryNotificationStore>();
        services.TryAddSingleton(sp => new OperationService(
            sp.GetRequiredService<Node>(),
            sp.GetRequiredService<IOperationStore>(),
            sp.GetRequiredService<IOptions<HeraldOptions>>().Value.Operations,
            sp.GetServices<IOperationHandler>()));
        services.TryAddSingleton(sp => new NotificationService(sp.GetRequiredService<Node>(), sp.GetRequiredService<INotificationStore>()));
        services.TryAddSingleton<OriginPolicy>();
        services.TryAddSingleton<WebSocketTransport>();
        services.TryAddSingleton<SseTransport>();
        services.TryAddSingleton<Transports.SocketIO.SocketIOTransport>();
        services.AddHostedService<HeraldLifetimeService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DefaultStorageReport>());
        services.AddProblemDetails();
        // Herald writes its answers with its own options; the host's chain gets the metadata too, for OpenAPI and trimmed hosts.
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, Http.Contracts.HeraldHttpJsonContext.Default));
        services.AddCors();
        services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>()
            .Configure<OriginPolicy>((cors, origins) => cors.AddPolicy(CorsPolicy, policy => policy
                .SetIsOriginAllowed(origins.IsListed)
                .AllowAnyHeader()
                .AllowAnyMethod()
                .AllowCredentials()));
        services.AddOptions<HostOptions>()
            .Configure<IOptions<HeraldOptions>>((host, herald) =>
                host.ShutdownTimeout = TimeSpan.FromSeconds(herald.Value.ShutdownTimeoutSeconds + 5));
        return new HeraldBuilder(services);
    }
}
