using Herald.Core;
using Herald.Core.Brokers;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Storage.Postgres.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Herald.Storage.Postgres;

/// <summary>Chooses PostgreSQL as Herald's storage and broker: <c>services.AddHerald().UsePostgres(connectionString)</c>.</summary>
public static class PostgresHeraldBuilderExtensions
{
    /// <summary>Keeps everything in the PostgreSQL database <paramref name="connectionString"/> names, shared with every other node on it.</summary>
    /// <inheritdoc cref="UsePostgres(IHeraldBuilder, Action{PostgresStorageOptions}?)"/>
    public static IHeraldBuilder UsePostgres(this IHeraldBuilder builder, string connectionString) =>
        builder.UsePostgres(options => options.PostgresConnectionString = connectionString);

    /// <summary>
    /// Makes this node one of a cluster on a PostgreSQL database: channel streams, history and
    /// latest state, operations, notifications and presence are kept there, and publications
    /// travel between the nodes through <see cref="PostgresBroker"/>. Every node on the same
    /// database is part of the cluster; nothing else needs configuring. The settings bind from
    /// <c>Herald:Storage</c> (<c>Herald:Storage:PostgresConnectionString</c>, required), then
    /// <paramref name="configure"/> applies; they are validated at start, and the schema is created
    /// or migrated when the node starts (a node that cannot reach the database does not start).
    /// </summary>
    /// <exception cref="InvalidOperationException">A storage was already chosen.</exception>
    public static IHeraldBuilder UsePostgres(this IHeraldBuilder builder, Action<PostgresStorageOptions>? configure = null)
    {
        builder.UseStorage("PostgreSQL", services =>
        {
            var options = services.AddOptions<PostgresStorageOptions>().BindConfiguration(HeraldStorageSettings.SectionName);
            if (configure is not null)
            {
                options.Configure(configure);
            }
            options.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresStorageOptions>, PostgresStorageOptionsValidator>());
            services.AddSingleton(sp =>
            {
                var settings = sp.GetRequiredService<IOptions<PostgresStorageOptions>>().Value;
                var database = new PostgresDatabase(settings.PostgresConnectionString!, settings.PostgresListenConnectionString);
                PostgresLog.Opening(sp.GetRequiredService<ILoggerFactory>().CreateLogger(PostgresLog.Category), database.Target);
                return database;
            });
            services.AddSingleton(sp => new PostgresHistoryStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IHistoryStore>(sp => sp.GetRequiredService<PostgresHistoryStore>());
            services.RemoveAll<IBroker>();
            services.AddSingleton<IBroker>(sp => new PostgresBroker(sp.GetRequiredService<PostgresHistoryStore>(), sp.GetRequiredService<ILogger<PostgresBroker>>()));
            services.AddSingleton<IOperationStore>(sp => new PostgresOperationStore(sp.GetRequiredService<PostgresDatabase>()));
            services.AddSingleton<INotificationStore>(sp => new PostgresNotificationStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetRequiredService<TimeProvider>()));
            PostgresClusterServices.AddClusterServices(services);
        });
        return builder.AcceptStorageSettings(PostgresStorageOptions.SettingKeys);
    }
}
