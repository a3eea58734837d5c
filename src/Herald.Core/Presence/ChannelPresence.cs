using Herald.Messages.Presence;

namespace Herald.Core.Presence;

/// <summary>
/// Who is in one channel on this node (F-PRS-1). Entries follow subscriptions: they appear when a
/// connection subscribes and go when it unsubscribes or disconnects, including a connection that
/// died without closing (removed when the heartbeat gives up on it). Thread-safe.
/// </summary>
internal sealed class ChannelPresence
{
    private readonly Dictionary<string, Dictionary<string, (ReadOnlyMemory<byte> Info, DateTimeOffset At)>> _users = new(StringComparer.Ordinal);

    public bool IsEmpty
    {
        get
        {
            lock (_users)
            {
                return _users.Count == 0;
            }
        }
    }

    /// <summary>Adds a connection; returns the user's entry when this is the user's first connection here, else null.</summary>
    public PresenceEntry? Join(string userId, string clientId, ReadOnlyMemory<byte> info, DateTimeOffset now)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(userId, out var connections))
            {
                _users[userId] = connections = new Dictionary<string, (ReadOnlyMemory<byte>, DateTimeOffset)>(StringComparer.Ordinal);
            }
            connections[clientId] = (info, now);
            return connections.Count == 1 ? Entry(userId, connections) : null;
        }
    }

    /// <summary>Removes a connection; returns the user's last entry when the user has no connection left, else null.</summary>
    public PresenceEntry? Leave(string userId, string clientId)
    {
        lock (_users)
        {
            if (!_users.TryGetValue(userId, out var connections) || !connections.ContainsKey(clientId))
            {
                return null;
            }
            var before = Entry(userId, connections);
            connections.Remove(clientId);
            if (connections.Count > 0)
            {
                return null;
            }
            _users.Remove(userId);
            return before with { Connections = 0 };
        }
    }

    public IReadOnlyList<PresenceEntry> Snapshot()
    {
        lock (_users)
        {
            return _users.Select(u => Entry(u.Key, u.Value)).OrderBy(e => e.UserId, StringComparer.Ordinal).ToList();
        }
    }

    private static PresenceEntry Entry(string userId, Dictionary<string, (ReadOnlyMemory<byte> Info, DateTimeOffset At)> connections)
    {
        var newest = connections.Values.MaxBy(c => c.At);
        return new PresenceEntry(userId, connections.Count, newest.Info, connections.Values.Min(c => c.At));
    }
}
