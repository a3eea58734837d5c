using Herald.Core.Cluster;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Herald.Core;

/// <summary>Chooses where Herald keeps channel history, operations and notifications.</summary>
public static class HeraldBuilderExtensions
{
    /// <summary>
    /// Keeps history, operations and notifications in the process: fast, and lost at every restart.
    /// This is also what an application gets when it chooses no storage, with a line in the log at
    /// start that says so.
    /// </summary>
    /// <exception cref="InvalidOperationException">A storage was already chosen.</exception>
    public static IHeraldBuilder UseMemory(this IHeraldBuilder builder) =>
        builder.UseStorage("memory", services =>
        {
            services.AddSingleton<IHistoryStore>(sp => new MemoryHistoryStore(sp.GetRequiredService<TimeProvider>()));
            services.AddSingleton<IOperationStore, MemoryOperationStore>();
            services.AddSingleton<INotificationStore, MemoryNotificationStore>();
        });

    /// <summary>
    /// Makes <paramref name="name"/> the application's storage: removes every
    /// <see cref="IHistoryStore"/>, <see cref="IOperationStore"/>, <see cref="INotificationStore"/>,
    /// <see cref="IPresenceStore"/> and <see cref="IClusterMembership"/> registered so far (the memory
    /// defaults included), then lets <paramref name="addStores"/> register the storage's own. For
    /// storage packages: <c>UseSqlite</c> and the like call this. A storage that registers no
    /// presence store or membership gets the memory ones back (one node).
    /// </summary>
    /// <exception cref="InvalidOperationException">A storage was already chosen: one application has one storage.</exception>
    public static IHeraldBuilder UseStorage(this IHeraldBuilder builder, string name, Action<IServiceCollection> addStores)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(addStores);
        var services = builder.Services;
        if (services.FirstOrDefault(d => d.ServiceType == typeof(HeraldStorageChoice))?.ImplementationInstance is HeraldStorageChoice chosen)
        {
            throw new InvalidOperationException(
                $"Herald's storage is already {chosen.Name}; it cannot also be {name}. Choose one storage, once: AddHerald().UseMemory(), .UseSqlite(…) or another storage package's Use method.");
        }
        services.AddSingleton(new HeraldStorageChoice(name));
        services.RemoveAll<IHistoryStore>();
        services.RemoveAll<IOperationStore>();
        services.RemoveAll<INotificationStore>();
        services.RemoveAll<IPresenceStore>();
        services.RemoveAll<IClusterMembership>();
        addStores(services);
        // A storage that keeps no presence or node registry runs one node: the memory ones.
        services.TryAddSingleton<IPresenceStore, MemoryPresenceStore>();
        services.TryAddSingleton<IClusterMembership>(sp => new MemoryClusterMembership(sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>
    /// Accepts <paramref name="keys"/> under <c>Herald:Storage</c> (see <see cref="HeraldStorageSettings"/>):
    /// a storage package names the keys it reads, a host that chooses the storage from configuration
    /// names its own.
    /// </summary>
    public static IHeraldBuilder AcceptStorageSettings(this IHeraldBuilder builder, params IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var accepted = keys.ToArray();
        builder.Services.Configure<HeraldStorageSettings>(settings => settings.Keys.UnionWith(accepted));
        return builder;
    }
}
