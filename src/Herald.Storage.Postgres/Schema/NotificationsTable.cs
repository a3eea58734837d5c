namespace Herald.Storage.Postgres.Schema;

/// <summary>
/// Notifications, each for one user (<c>user_id</c>) or every member of an organisation
/// (<c>org_id</c>), as in the SQLite schema. <c>data</c> is the raw JSON bytes, NULL when empty;
/// <c>created_at</c> is Unix time in 100 ns ticks. Ids sort by creation time, so the inbox orders
/// and pages by id, byte by byte (<c>COLLATE "C"</c>) whatever the database's collation.
/// </summary>
internal static class NotificationsTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS herald_notifications (
            id         text COLLATE "C" NOT NULL PRIMARY KEY,
            user_id    text,
            org_id     text,
            title      text   NOT NULL,
            message    text   NOT NULL,
            level      text   NOT NULL,
            link       text,
            data       bytea,
            created_at bigint NOT NULL
        );
        CREATE INDEX IF NOT EXISTS herald_notifications_user ON herald_notifications (user_id, id) WHERE user_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS herald_notifications_org ON herald_notifications (org_id, id) WHERE org_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS herald_notifications_created_at ON herald_notifications (created_at);
        """;

    /// <summary>The columns <see cref="Internal.NotificationRows.Read"/> expects, in its order, then whether the user read it.</summary>
    private const string Columns = "n.id, n.user_id, n.org_id, n.title, n.message, n.level, n.link, n.data, n.created_at, m.read_at IS NOT NULL";

    /// <summary>What user $1 of organisation $2 sees: addressed to either, not dismissed by the user.</summary>
    private const string VisibleToUser = """
        herald_notifications n
        LEFT JOIN herald_notification_marks m ON m.notification_id = n.id AND m.user_id = $1
        WHERE (n.user_id = $1 OR n.org_id = $2) AND m.dismissed_at IS NULL
        """;

    /// <summary>$1 id, $2 user_id, $3 org_id, $4 title, $5 message, $6 level, $7 link, $8 data, $9 created_at.</summary>
    public const string Insert = """
        INSERT INTO herald_notifications (id, user_id, org_id, title, message, level, link, data, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9);
        """;

    /// <summary>
    /// The unread count of user $1 of organisation $2 and, from the same snapshot, a page of their
    /// inbox, newest first: before the cursor $3 when not NULL, unread ones only when $4, at most
    /// $5. Answers one row per item (the count, then the <see cref="Columns"/>), or one row of the
    /// count alone with NULL columns when the page is empty.
    /// </summary>
    public const string SelectPage = $"""
        SELECT c.unread, p.* FROM ({CountUnread}) c
        LEFT JOIN LATERAL (
            SELECT {Columns} FROM {VisibleToUser}
              AND ($3::text IS NULL OR n.id < $3)
              AND (NOT $4 OR m.read_at IS NULL)
            ORDER BY n.id DESC
            LIMIT $5) p ON true
        ORDER BY p.id DESC;
        """;

    /// <summary>The number of notifications user $1 of organisation $2 sees and has not read.</summary>
    public const string CountUnread = $"SELECT count(*) AS unread FROM {VisibleToUser} AND m.read_at IS NULL";

    /// <summary>
    /// Marks read, at $3, every notification user $1 of organisation $2 sees and has not read;
    /// the rows changed are the ones that changed (a concurrent mark of the same one counts once).
    /// Rows are written in id order, so two of these at once wait for each other instead of
    /// deadlocking.
    /// </summary>
    public const string MarkAllRead = $"""
        INSERT INTO herald_notification_marks AS t (notification_id, user_id, read_at)
        SELECT n.id, $1, $3 FROM {VisibleToUser} AND m.read_at IS NULL
        ORDER BY n.id
        ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = excluded.read_at
            WHERE t.read_at IS NULL AND t.dismissed_at IS NULL;
        """;

    /// <summary>Notifications created before $1, with their marks (the foreign key cascades).</summary>
    public const string DeleteOlderThan = "DELETE FROM herald_notifications WHERE created_at < $1;";

    /// <summary>The part of the mark statements that finds notification $3 if user $1 of organisation $2 sees it.</summary>
    internal const string SelectVisible = $"SELECT n.id, $1 FROM {VisibleToUser} AND n.id = $3";
}
