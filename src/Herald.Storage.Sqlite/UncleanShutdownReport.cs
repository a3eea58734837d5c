using Herald.Storage.Sqlite.Internal;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Herald.Storage.Sqlite;

/// <summary>
/// Says so, once the host has started, when the last run did not close the database cleanly (its
/// channels got new epochs unless it was a process crash within the same boot; see <see cref="SqliteDatabase.PreviousShutdownWasUnclean"/>).
/// Registered by <c>UseSqlite</c>.
/// </summary>
internal sealed class UncleanShutdownReport(SqliteDatabase database, ILoggerFactory loggers) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (database.EpochsRenewed)
        {
            loggers.CreateLogger(SqliteLog.Category).UncleanShutdown(database.Path);
        }
        else if (database.PreviousShutdownWasUnclean)
        {
            loggers.CreateLogger(SqliteLog.Category).ProcessCrashRecovered(database.Path);
        }
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
