namespace Herald.Core.Notifications;

/// <summary>
/// Keeps notifications and each user's read and dismissed marks.
/// Implementations: <see cref="MemoryNotificationStore"/>, SQLite, PostgreSQL; checked by the
/// compliance suite in tests/Herald.Specification.Tests.
/// </summary>
/// <remarks>
/// A user <c>u</c> of organisation <c>o</c> sees the notifications addressed to <c>u</c> and those
/// addressed to <c>o</c>, except the ones <c>u</c> dismissed. Lists are newest first (by id, which
/// sorts by time); <c>before</c> pages back from a cursor (the id of the last item seen).
/// Marking something the user cannot see answers false and changes nothing.
/// </remarks>
public interface INotificationStore : IAsyncDisposable
{
    Task InitializeAsync(CancellationToken cancellationToken);

    ValueTask AddAsync(Notification notification, CancellationToken cancellationToken);

    ValueTask<InboxPage> ListAsync(string userId, string orgId, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken);

    ValueTask<int> CountUnreadAsync(string userId, string orgId, CancellationToken cancellationToken);

    ValueTask<bool> MarkReadAsync(string userId, string orgId, string id, CancellationToken cancellationToken);

    /// <summary>Marks every visible notification read; returns how many changed.</summary>
    ValueTask<int> MarkAllReadAsync(string userId, string orgId, CancellationToken cancellationToken);

    ValueTask<bool> DismissAsync(string userId, string orgId, string id, CancellationToken cancellationToken);

    /// <summary>Removes notifications created before <paramref name="createdBefore"/> with their marks.</summary>
    ValueTask<int> RemoveOlderThanAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken);
}
