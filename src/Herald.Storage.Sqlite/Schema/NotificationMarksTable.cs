namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// Each user's marks on a notification: when they read it and when they dismissed it (Unix time
/// in 100 ns ticks, NULL when not). A row exists only once a user marked something they could see.
/// </summary>
internal static class NotificationMarksTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS notification_marks (
            notification_id TEXT    NOT NULL,
            user_id         TEXT    NOT NULL,
            read_at         INTEGER,
            dismissed_at    INTEGER,
            PRIMARY KEY (notification_id, user_id)
        ) WITHOUT ROWID;
        """;

    /// <summary>Marks read; a notification read before keeps its first read time.</summary>
    public const string MarkRead = """
        INSERT INTO notification_marks (notification_id, user_id, read_at) VALUES ($id, $user_id, $now)
        ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = coalesce(read_at, excluded.read_at);
        """;

    public const string Dismiss = """
        INSERT INTO notification_marks (notification_id, user_id, dismissed_at) VALUES ($id, $user_id, $now)
        ON CONFLICT (notification_id, user_id) DO UPDATE SET dismissed_at = excluded.dismissed_at;
        """;

    /// <summary>Marks of the notifications that <see cref="NotificationsTable.DeleteOlderThan"/> removes; run first.</summary>
    public const string DeleteOlderThan = """
        DELETE FROM notification_marks
        WHERE notification_id IN (SELECT id FROM notifications WHERE created_at < $created_before);
        """;
}
