using Herald.Core.Notifications;
using Herald.Storage.Sqlite.Internal;
using Herald.Storage.Sqlite.Schema;

namespace Herald.Storage.Sqlite;

/// <summary>
/// Notifications and each user's read and dismissed marks in a SQLite file shared with the other
/// stores through a <see cref="SqliteDatabase"/>. They survive a restart.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="INotificationStore"/> contract, checked by the shared compliance
/// suite: a user sees what is addressed to them or to their organisation, minus what they
/// dismissed; newest first by id; marks are per user, so an organisation's notification read by one
/// member stays unread for the others.</item>
/// <item>Each call is one transaction; a page and its unread count are read together.</item>
/// <item>Thread-safe; the database runs one call at a time. The caller owns the database and
/// disposes it after this store; disposing the store does not close it.</item>
/// <item>The read and dismissed times kept with the marks come from the <see cref="TimeProvider"/> given.</item>
/// </list>
/// </remarks>
public sealed class SqliteNotificationStore : INotificationStore
{
    private readonly SqliteDatabase _database;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    /// <param name="database">The database shared with the other SQLite stores.</param>
    /// <param name="time">The clock for the read and dismissed times; the system clock when null.</param>
    public SqliteNotificationStore(SqliteDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Opens the database and migrates the schema of every store on it (see <see cref="SqliteDatabase.InitializeAsync"/>). Idempotent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.InitializeAsync(cancellationToken);
    }

    public async ValueTask AddAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ThrowIfDisposed();
        await _database.ExecuteAsync(NotificationsTable.Insert, notification, NotificationRows.Bind, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A page of the user's inbox, newest first, before the cursor when one is given; the unread
    /// count is over the whole inbox. <see cref="InboxPage.NextCursor"/> is the id of the page's last
    /// item when more follow, null otherwise (and for a limit of 0 or less, which gives no items).
    /// </summary>
    public ValueTask<InboxPage> ListAsync(string userId, string orgId, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfDisposed();
        return _database.ReadAsync((UserId: userId, OrgId: orgId, Limit: Math.Max(0, limit), Before: before, UnreadOnly: unreadOnly), static async (unit, q, ct) =>
        {
            var items = new List<InboxItem>();
            if (q.Limit > 0)
            {
                var select = unit.Command(NotificationsTable.SelectPage);
                select.Parameters.AddWithValue("$user_id", q.UserId);
                select.Parameters.AddWithValue("$org_id", q.OrgId);
                select.Parameters.AddWithValue("$before", Columns.TextOrNull(q.Before));
                select.Parameters.AddWithValue("$unread_only", q.UnreadOnly ? 1 : 0);
                // One more than asked tells whether more follow.
                select.Parameters.AddWithValue("$limit", (long)q.Limit + 1);
                using var reader = await select.ExecuteReaderAsync(ct).ConfigureAwait(false);
                while (await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    items.Add(NotificationRows.Read(reader));
                }
            }
            string? next = null;
            if (items.Count > q.Limit)
            {
                items.RemoveAt(items.Count - 1);
                next = items[^1].Notification.Id;
            }
            var unread = await CountUnreadAsync(unit, q.UserId, q.OrgId, ct).ConfigureAwait(false);
            return new InboxPage(items, unread, next);
        }, cancellationToken);
    }

    public ValueTask<int> CountUnreadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfDisposed();
        return _database.ReadAsync((UserId: userId, OrgId: orgId),
            static (unit, q, ct) => CountUnreadAsync(unit, q.UserId, q.OrgId, ct), cancellationToken);
    }

    /// <summary>Marks the notification read for the user; false, changing nothing, when the user cannot see it.</summary>
    public ValueTask<bool> MarkReadAsync(string userId, string orgId, string id, CancellationToken cancellationToken) =>
        MarkAsync(NotificationMarksTable.MarkRead, userId, orgId, id, cancellationToken);

    public ValueTask<int> MarkAllReadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfDisposed();
        return _database.ExecuteAsync(NotificationsTable.MarkAllRead, (UserId: userId, OrgId: orgId, Now: Columns.Time(_time.GetUtcNow())), static (parameters, q) =>
        {
            parameters.AddWithValue("$user_id", q.UserId);
            parameters.AddWithValue("$org_id", q.OrgId);
            parameters.AddWithValue("$now", q.Now);
        }, cancellationToken);
    }

    /// <summary>Hides the notification from the user (and from their unread count); false, changing nothing, when the user cannot see it.</summary>
    public ValueTask<bool> DismissAsync(string userId, string orgId, string id, CancellationToken cancellationToken) =>
        MarkAsync(NotificationMarksTable.Dismiss, userId, orgId, id, cancellationToken);

    public ValueTask<int> RemoveOlderThanAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.WriteAsync(Columns.Time(createdBefore), static async (unit, createdBefore, ct) =>
        {
            var marks = unit.Command(NotificationMarksTable.DeleteOlderThan);
            marks.Parameters.AddWithValue("$created_before", createdBefore);
            await marks.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            var notifications = unit.Command(NotificationsTable.DeleteOlderThan);
            notifications.Parameters.AddWithValue("$created_before", createdBefore);
            return await notifications.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>Stops this store: later calls throw <see cref="ObjectDisposedException"/>. The database stays open for its owner to dispose.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Runs <paramref name="markSql"/> when the notification is visible to the user, in one transaction.</summary>
    private ValueTask<bool> MarkAsync(string markSql, string userId, string orgId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfDisposed();
        return _database.WriteAsync((Sql: markSql, UserId: userId, OrgId: orgId, Id: id, Now: Columns.Time(_time.GetUtcNow())), static async (unit, q, ct) =>
        {
            var visible = unit.Command(NotificationsTable.IsVisible);
            visible.Parameters.AddWithValue("$user_id", q.UserId);
            visible.Parameters.AddWithValue("$org_id", q.OrgId);
            visible.Parameters.AddWithValue("$id", q.Id);
            if (await visible.ExecuteScalarAsync(ct).ConfigureAwait(false) is null)
            {
                return false;
            }
            var mark = unit.Command(q.Sql);
            mark.Parameters.AddWithValue("$id", q.Id);
            mark.Parameters.AddWithValue("$user_id", q.UserId);
            mark.Parameters.AddWithValue("$now", q.Now);
            await mark.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return true;
        }, cancellationToken);
    }

    private static async ValueTask<int> CountUnreadAsync(UnitOfWork unit, string userId, string orgId, CancellationToken cancellationToken)
    {
        var count = unit.Command(NotificationsTable.CountUnread);
        count.Parameters.AddWithValue("$user_id", userId);
        count.Parameters.AddWithValue("$org_id", orgId);
        return Convert.ToInt32(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
    }
}
