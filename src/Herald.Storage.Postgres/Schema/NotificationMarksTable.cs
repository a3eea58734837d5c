namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// Each user's marks on a notification: when they read it and when they dismissed it (Unix time
/// in 100 ns ticks, NULL when not). A row exists only once a user marked something they could see,
/// and goes with its notification (the foreign key cascades).
/// </summary>
/// <remarks>
/// Each mark is one statement that checks visibility and writes, so that a concurrent dismissal
/// or removal is either seen or wins: the statement then changes nothing and answers no row.
/// </remarks>
internal static class NotificationMarksTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_notification_marks (
            notification_id text COLLATE "C" NOT NULL REFERENCES herald_notifications (id) ON DELETE CASCADE,
            user_id         text   NOT NULL,
            read_at         bigint,
            dismissed_at    bigint,
            PRIMARY KEY (notification_id, user_id)
        );
        """;

    /// <summary>
    /// Marks notification $3 read for user $1 of organisation $2 at $4 when they see it; a
    /// notification read before keeps its first read time. Answers a row when the user sees it.
    /// </summary>
    public const string MarkRead = $"""
        INSERT INTO herald_notification_marks AS t (notification_id, user_id, read_at)
        SELECT v.*, $4 FROM ({NotificationsTable.SelectVisible}) v
        ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = coalesce(t.read_at, excluded.read_at)
            WHERE t.dismissed_at IS NULL
        RETURNING 1;
        """;

    /// <summary>Dismisses notification $3 for user $1 of organisation $2 at $4 when they see it. Answers a row when the user saw it.</summary>
    public const string Dismiss = $"""
        INSERT INTO herald_notification_marks AS t (notification_id, user_id, dismissed_at)
        SELECT v.*, $4 FROM ({NotificationsTable.SelectVisible}) v
        ON CONFLICT (notification_id, user_id) DO UPDATE SET dismissed_at = excluded.dismissed_at
            WHERE t.dismissed_at IS NULL
        RETURNING 1;
        """;
}
