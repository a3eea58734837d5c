namespace Herald.Storage.Sqlite.Schema;

/// <summary>
/// Notifications, each for one user (<c>user_id</c>) or every member of an organisation
/// (<c>org_id</c>). <c>data</c> is the raw JSON bytes, NULL when empty; <c>created_at</c> is Unix
/// time in 100 ns ticks. Ids sort by creation time, so the inbox orders and pages by id.
/// </summary>
internal static class NotificationsTable
{
    public const string Create = """
        CREATE TABLE IF NOT EXISTS notifications (
            id         TEXT    NOT NULL PRIMARY KEY,
            user_id    TEXT,
            org_id     TEXT,
            title      TEXT    NOT NULL,
            message    TEXT    NOT NULL,
            level      TEXT    NOT NULL,
            link       TEXT,
            data       BLOB,
            created_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS notifications_user ON notifications (user_id, id) WHERE user_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS notifications_org ON notifications (org_id, id) WHERE org_id IS NOT NULL;
        CREATE INDEX IF NOT EXISTS notifications_created_at ON notifications (created_at);
        """;

    /// <summary>The columns <see cref="Internal.NotificationRows.Read"/> expects, in its order, then whether the user read it.</summary>
    private const string Columns = "n.id, n.user_id, n.org_id, n.title, n.message, n.level, n.link, n.data, n.created_at, m.read_at IS NOT NULL";

    /// <summary>What user <c>$user_id</c> of organisation <c>$org_id</c> sees: addressed to either, not dismissed by the user.</summary>
    private const string VisibleToUser = """
        notifications n
        LEFT JOIN notification_marks m ON m.notification_id = n.id AND m.user_id = $user_id
        WHERE (n.user_id = $user_id OR n.org_id = $org_id) AND m.dismissed_at IS NULL
        """;

    public const string Insert = """
        INSERT INTO notifications (id, user_id, org_id, title, message, level, link, data, created_at)
        VALUES ($id, $user_id, $org_id, $title, $message, $level, $link, $data, $created_at);
        """;

    /// <summary>A page of the inbox, newest first, before the cursor <c>$before</c> when not NULL; <c>$unread_only</c> 1 drops read ones.</summary>
    public const string SelectPage = $"""
        SELECT {Columns} FROM {VisibleToUser}
          AND ($before IS NULL OR n.id < $before)
          AND ($unread_only = 0 OR m.read_at IS NULL)
        ORDER BY n.id DESC
        LIMIT $limit;
        """;

    public const string CountUnread = $"SELECT count(*) FROM {VisibleToUser} AND m.read_at IS NULL;";

    public const string IsVisible = $"SELECT 1 FROM {VisibleToUser} AND n.id = $id;";

    /// <summary>Marks read every visible notification not read yet; the rows changed are the ones that changed.</summary>
    public const string MarkAllRead = $"""
        INSERT INTO notification_marks (notification_id, user_id, read_at)
        SELECT n.id, $user_id, $now FROM {VisibleToUser} AND m.read_at IS NULL
        ON CONFLICT (notification_id, user_id) DO UPDATE SET read_at = excluded.read_at;
        """;

    public const string DeleteOlderThan = "DELETE FROM notifications WHERE created_at < $created_before;";
}
