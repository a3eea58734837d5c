using Herald.Core.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Storage.Postgres;

/// <summary>Registers the cluster-wide state of a PostgreSQL cluster: presence and the node registry, on the registered <see cref="PostgresDatabase"/>.</summary>
internal static class PostgresClusterServices
{
    /// <summary>
    /// Replaces the presence store and the node registry by the PostgreSQL ones. Call it inside
    /// <see cref="Core.HeraldBuilderExtensions.UseStorage"/>'s callback, where a
    /// <see cref="PostgresDatabase"/> singleton is registered.
    /// </summary>
    public static void AddClusterServices(IServiceCollection services)
    {
        services.RemoveAll<IPresenceStore>();
        services.RemoveAll<IClusterMembership>();
        services.AddSingleton<IPresenceStore>(sp => new PostgresPresenceStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IClusterMembership>(sp => new PostgresClusterMembership(sp.GetRequiredService<PostgresDatabase>()));
    }
}
