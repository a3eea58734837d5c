using Microsoft.Extensions.Logging;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>Log messages of the SQLite storage, event ids 4000–4099, under the category <see cref="Category"/>.</summary>
internal static partial class SqliteLog
{
    public const string Category = "Herald.Storage.Sqlite";

    [LoggerMessage(4000, LogLevel.Information, "Storage: SQLite at {Path}")]
    public static partial void Opening(this ILogger logger, string path);

    [LoggerMessage(4001, LogLevel.Warning, "The previous run did not close {Path} cleanly: every channel got a new epoch, so clients refetch instead of trusting positions that may have been lost")]
    public static partial void UncleanShutdown(this ILogger logger, string path);

    [LoggerMessage(4002, LogLevel.Warning, "The previous run did not close {Path} cleanly, but the system has not restarted since, so every commit it made is in the file: channel positions are kept and clients recover from them")]
    public static partial void ProcessCrashRecovered(this ILogger logger, string path);
}
