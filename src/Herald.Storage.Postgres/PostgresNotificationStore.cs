using Herald.Core.Notifications;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>
/// Notifications and each user's read and dismissed marks in a PostgreSQL database shared by every
/// node of a cluster through a <see cref="PostgresDatabase"/>. They survive a restart, and every
/// node sees the same inbox.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="INotificationStore"/> contract, checked by the shared compliance
/// suite: a user sees what is addressed to them or to their organisation, minus what they
/// dismissed; newest first by id; marks are per user, so an organisation's notification read by one
/// member stays unread for the others.</item>
/// <item>Each call is one statement on a pooled connection: a page and its unread count are read
/// from one snapshot; a mark checks that the user sees the notification and writes in the same
/// statement, so a dismissal or removal by another node is either seen or wins.</item>
/// <item>Marks go with their notification (a cascading foreign key), whichever node removes it.</item>
/// <item>Thread-safe. The caller owns the database and disposes it after this store; disposing the
/// store does not close it.</item>
/// <item>The read and dismissed times kept with the marks come from the <see cref="TimeProvider"/> given.</item>
/// </list>
/// </remarks>
public sealed class PostgresNotificationStore : INotificationStore
{
    /// <summary>Runs of a mark-all that met a notification removed under it; the next run no longer sees it.</summary>
    private const int MarkAllAttempts = 3;

    private readonly PostgresDatabase _database;
    private readonly TimeProvider _time;
    private volatile bool _disposed;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    /// <param name="database">The database shared with the other PostgreSQL stores and nodes.</param>
    /// <param name="time">The clock for the read and dismissed times; the system clock when null.</param>
    public PostgresNotificationStore(PostgresDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Creates or migrates the schema of every store on the database (see <see cref="PostgresDatabase.InitializeAsync"/>). Idempotent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        return _database.InitializeAsync(cancellationToken);
    }

    public async ValueTask AddAsync(Notification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        ThrowIfUnusable();
        await using var insert = _database.DataSource.CreateCommand(NotificationsTable.Insert);
        NotificationRows.Bind(insert.Parameters, notification);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// A page of the user's inbox, newest first, before the cursor when one is given; the unread
    /// count is over the whole inbox, from the same snapshot. <see cref="InboxPage.NextCursor"/> is
    /// the id of the page's last item when more follow, null otherwise (and for a limit of 0 or
    /// less, which gives no items).
    /// </summary>
    public async ValueTask<InboxPage> ListAsync(string userId, string orgId, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfUnusable();
        limit = Math.Max(0, limit);
        await using var select = _database.DataSource.CreateCommand(NotificationsTable.SelectPage);
        select.Parameters.AddText(userId);
        select.Parameters.AddText(orgId);
        select.Parameters.AddTextOrNull(before);
        select.Parameters.AddBoolean(unreadOnly);
        // One more than asked tells whether more follow; a limit of 0 reads the count alone.
        select.Parameters.AddBigint(limit > 0 ? (long)limit + 1 : 0);
        var items = new List<InboxItem>();
        var unread = 0;
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                unread = checked((int)reader.GetInt64(0));
                if (!reader.IsDBNull(1))
                {
                    items.Add(NotificationRows.Read(reader, first: 1));
                }
            }
        }
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(items.Count - 1);
            next = items[^1].Notification.Id;
        }
        return new InboxPage(items, unread, next);
    }

    public async ValueTask<int> CountUnreadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfUnusable();
        await using var count = _database.DataSource.CreateCommand(NotificationsTable.CountUnread);
        count.Parameters.AddText(userId);
        count.Parameters.AddText(orgId);
        return checked((int)(long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
    }

    /// <summary>Marks the notification read for the user; false, changing nothing, when the user cannot see it.</summary>
    public ValueTask<bool> MarkReadAsync(string userId, string orgId, string id, CancellationToken cancellationToken) =>
        MarkAsync(NotificationMarksTable.MarkRead, userId, orgId, id, cancellationToken);

    public async ValueTask<int> MarkAllReadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ThrowIfUnusable();
        var now = Columns.Time(_time.GetUtcNow());
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var mark = _database.DataSource.CreateCommand(NotificationsTable.MarkAllRead);
                mark.Parameters.AddText(userId);
                mark.Parameters.AddText(orgId);
                mark.Parameters.AddBigint(now);
                return await mark.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException ex) when (attempt < MarkAllAttempts && ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                // A notification was removed between the read and the write; the statement changed nothing.
            }
        }
    }

    /// <summary>Hides the notification from the user (and from their unread count); false, changing nothing, when the user cannot see it.</summary>
    public ValueTask<bool> DismissAsync(string userId, string orgId, string id, CancellationToken cancellationToken) =>
        MarkAsync(NotificationMarksTable.Dismiss, userId, orgId, id, cancellationToken);

    public async ValueTask<int> RemoveOlderThanAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        ThrowIfUnusable();
        await using var delete = _database.DataSource.CreateCommand(NotificationsTable.DeleteOlderThan);
        delete.Parameters.AddTime(createdBefore);
        return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops this store: later calls throw <see cref="ObjectDisposedException"/>. The database stays open for its owner to dispose.</summary>
    public ValueTask DisposeAsync()
    {
        _disposed = true;
        return ValueTask.CompletedTask;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ThrowIfUnusable()
    {
        ThrowIfDisposed();
        _database.ThrowIfNotInitialized();
    }

    /// <summary>Runs <paramref name="markSql"/>, which writes the mark only when the user sees the notification and then answers a row.</summary>
    private async ValueTask<bool> MarkAsync(string markSql, string userId, string orgId, string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(orgId);
        ArgumentNullException.ThrowIfNull(id);
        ThrowIfUnusable();
        await using var mark = _database.DataSource.CreateCommand(markSql);
        mark.Parameters.AddText(userId);
        mark.Parameters.AddText(orgId);
        mark.Parameters.AddText(id);
        mark.Parameters.AddTime(_time.GetUtcNow());
        try
        {
            return await mark.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not null;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.ForeignKeyViolation)
        {
            // Removed by another node between the visibility check and the write: no longer visible.
            return false;
        }
    }
}
