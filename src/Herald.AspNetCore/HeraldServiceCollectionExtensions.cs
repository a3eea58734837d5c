using Herald.AspNetCore.Transports;
using Herald.Core;
using Herald.Core.Brokers;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Herald.AspNetCore;

/// <summary>Registers Herald in any ASP.NET Core application.</summary>
public static class HeraldServiceCollectionExtensions
{
    /// <summary>The CORS policy name used by Herald's HTTP endpoints.</summary>
    public const string CorsPolicy = "Herald";

    /// <summary>
    /// Adds the Herald node, its transports and HTTP API services. Options bind from the
    /// <c>Herald</c> section when <paramref name="configure"/> does not set them, and are
    /// validated at start. The broker defaults to <see cref="MemoryBroker"/>; register another
    /// <see cref="IBroker"/> before calling this to scale out, and another
    /// <see cref="IHistoryStore"/> for history that survives a restart.
    /// </summary>
    public static IServiceCollection AddHerald(this IServiceCollection services, Action<HeraldOptions>? configure = null)
    {
        // Unknown keys are errors: a misspelt setting must stop the server, not be ignored.
        var builder = services.AddOptions<HeraldOptions>().BindConfiguration(HeraldOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true);
        if (configure is not null)
        {
            builder.Configure(configure);
        }
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HeraldOptions>, HeraldOptionsValidator>());
        services.TryAddSingleton<IBroker, MemoryBroker>();
        services.TryAddSingleton(sp => new HeraldMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IHistoryStore>(sp => new MemoryHistoryStore(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new Node(
            sp.GetRequiredService<IOptions<HeraldOptions>>().Value,
            sp.GetRequiredService<IBroker>(),
            sp.GetRequiredService<IHistoryStore>(),
            sp.GetRequiredService<HeraldMetrics>(),
            sp.GetRequiredService<ILogger<Node>>(),
            sp.GetRequiredService<TimeProvider>()));
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
        return services;
    }
}
