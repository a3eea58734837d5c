using Herald.Core;
using Herald.Core.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Internal;

/// <summary>
/// Says once, at start, that an application which chose no storage keeps Herald's data in memory,
/// and how to keep it across restarts. Silent when a storage was chosen (even memory) or when the
/// application registered its own stores.
/// </summary>
internal sealed partial class DefaultStorageReport(IServiceProvider services, ILoggerFactory loggers) : IHostedService
{
    /// <summary>The log category of the message.</summary>
    public const string Category = "Herald.Storage";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (services.GetService<HeraldStorageChoice>() is null && services.GetService<IHistoryStore>() is MemoryHistoryStore)
        {
            MemoryByDefault(loggers.CreateLogger(Category));
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(2900, LogLevel.Information, "Storage: memory, the default when none is chosen. Channel history, operations and notifications are lost at every restart; to keep them, call AddHerald().UseSqlite(path) from the Herald.Storage.Sqlite package, or AddHerald().UseMemory() to choose memory and silence this message")]
    private static partial void MemoryByDefault(ILogger logger);
}
