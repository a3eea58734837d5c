namespace Herald.Core.Notifications;

/// <summary>Notifications in process memory, lost on restart. Thread-safe: one lock guards the store.</summary>
public sealed class MemoryNotificationStore : INotificationStore
{
    private readonly SortedDictionary<string, Notification> _notifications = new(StringComparer.Ordinal);
    private readonly HashSet<(string Id, string User)> _read = [];
    private readonly HashSet<(string Id, string User)> _dismissed = [];

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask AddAsync(Notification notification, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            _notifications.Add(notification.Id, notification);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<InboxPage> ListAsync(string userId, string orgId, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            var visible = Visible(userId, orgId).ToList();
            var unread = visible.Count(n => !_read.Contains((n.Id, userId)));
            var items = visible
                .Where(n => before is null || string.CompareOrdinal(n.Id, before) < 0)
                .Select(n => new InboxItem(n, _read.Contains((n.Id, userId))))
                .Where(i => !unreadOnly || !i.Read)
                .Take(limit + 1)
                .ToList();
            var next = limit > 0 && items.Count > limit ? items[limit - 1].Notification.Id : null;
            return ValueTask.FromResult(new InboxPage(items.Take(limit).ToList(), unread, next));
        }
    }

    public ValueTask<int> CountUnreadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            return ValueTask.FromResult(Visible(userId, orgId).Count(n => !_read.Contains((n.Id, userId))));
        }
    }

    public ValueTask<bool> MarkReadAsync(string userId, string orgId, string id, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            if (!IsVisible(userId, orgId, id))
            {
                return ValueTask.FromResult(false);
            }
            _read.Add((id, userId));
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> MarkAllReadAsync(string userId, string orgId, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            return ValueTask.FromResult(Visible(userId, orgId).Count(n => _read.Add((n.Id, userId))));
        }
    }

    public ValueTask<bool> DismissAsync(string userId, string orgId, string id, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            if (!IsVisible(userId, orgId, id))
            {
                return ValueTask.FromResult(false);
            }
            _dismissed.Add((id, userId));
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<int> RemoveOlderThanAsync(DateTimeOffset createdBefore, CancellationToken cancellationToken)
    {
        lock (_notifications)
        {
            var old = _notifications.Values.Where(n => n.CreatedAt < createdBefore).Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var id in old)
            {
                _notifications.Remove(id);
            }
            _read.RemoveWhere(m => old.Contains(m.Id));
            _dismissed.RemoveWhere(m => old.Contains(m.Id));
            return ValueTask.FromResult(old.Count);
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private IEnumerable<Notification> Visible(string userId, string orgId) =>
        _notifications.Values.Reverse().Where(n => (n.UserId == userId || n.OrgId == orgId) && !_dismissed.Contains((n.Id, userId)));

    private bool IsVisible(string userId, string orgId, string id) =>
        _notifications.TryGetValue(id, out var n) && (n.UserId == userId || n.OrgId == orgId) && !_dismissed.Contains((id, userId));
}
