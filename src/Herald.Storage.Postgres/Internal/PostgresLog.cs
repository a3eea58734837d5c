using Microsoft.Extensions.Logging;

namespace Herald.Storage.Postgres.Internal;

/// <summary>Log messages of the PostgreSQL storage and broker, event ids 4300–4399, under the category <see cref="Category"/>. Never a password: the database is named by host, port and name.</summary>
internal static partial class PostgresLog
{
    public const string Category = "Herald.Storage.Postgres";

    [LoggerMessage(4300, LogLevel.Information, "Storage: PostgreSQL at {Target}")]
    public static partial void Opening(ILogger logger, string target);

    [LoggerMessage(4301, LogLevel.Warning, "Tailing the publication log on {Target} failed; retrying")]
    public static partial void TailingFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(4302, LogLevel.Information, "Tailing the publication log on {Target} works again after {Milliseconds} ms; nothing was missed")]
    public static partial void TailingResumed(ILogger logger, string target, long milliseconds);

    [LoggerMessage(4303, LogLevel.Warning, "Tailing the publication log on {Target} works again after {Milliseconds} ms, longer than rows are sure to stay in the log: subscribers recover from history")]
    public static partial void TailingResumedWithGap(ILogger logger, string target, long milliseconds);

    [LoggerMessage(4304, LogLevel.Warning, "LISTEN on {Target} failed; tailing polls until it is back")]
    public static partial void ListenFailed(ILogger logger, Exception exception, string target);

    [LoggerMessage(4305, LogLevel.Error, "Delivering a publication of {Channel} failed")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string channel);

    [LoggerMessage(4306, LogLevel.Error, "Row {LogId} of the publication log cannot be read and was skipped")]
    public static partial void UnreadableRow(ILogger logger, Exception exception, long logId);
}
