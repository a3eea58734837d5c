using Herald.Messages.Presence;

namespace Herald.Core.Cluster;

/// <summary>
/// Presence in the process: for a single node (the default), and for several nodes of one process
/// that share the instance, standing in for a cluster in tests. One lock guards every channel, so
/// join and leave decisions are atomic. Thread-safe.
/// </summary>
public sealed class MemoryPresenceStore : IPresenceStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, Dictionary<string, Connection>>> _channels = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask<PresenceEntry?> JoinAsync(string channel, string userId, string clientId, string node, ReadOnlyMemory<byte> info, DateTimeOffset at, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_channels.TryGetValue(channel, out var users))
            {
                _channels[channel] = users = new Dictionary<string, Dictionary<string, Connection>>(StringComparer.Ordinal);
            }
            if (!users.TryGetValue(userId, out var connections))
            {
                users[userId] = connections = new Dictionary<string, Connection>(StringComparer.Ordinal);
            }
            connections[clientId] = new Connection(node, info, at);
            return ValueTask.FromResult(connections.Count == 1 ? Entry(userId, connections) : null);
        }
    }

    public ValueTask<PresenceEntry?> LeaveAsync(string channel, string userId, string clientId, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult(Remove(channel, userId, c => c.Key == clientId));
        }
    }

    public ValueTask<IReadOnlyList<PresenceEntry>> ListAsync(string channel, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<PresenceEntry> entries = _channels.TryGetValue(channel, out var users)
                ? users.Select(u => Entry(u.Key, u.Value)).OrderBy(e => e.UserId, StringComparer.Ordinal).ToList()
                : [];
            return ValueTask.FromResult(entries);
        }
    }

    public ValueTask<IReadOnlyList<(string Channel, PresenceEntry Left)>> RemoveNodeAsync(string node, CancellationToken cancellationToken)
    {
        var left = new List<(string, PresenceEntry)>();
        lock (_lock)
        {
            var held = _channels.SelectMany(c => c.Value.Where(u => u.Value.Values.Any(x => x.Node == node)).Select(u => (Channel: c.Key, User: u.Key))).ToList();
            foreach (var (channel, user) in held)
            {
                if (Remove(channel, user, c => c.Value.Node == node) is { } entry)
                {
                    left.Add((channel, entry));
                }
            }
        }
        return ValueTask.FromResult<IReadOnlyList<(string, PresenceEntry)>>(left);
    }

    /// <summary>Removes the user's connections that match; the user's last entry when none is left. Under the lock.</summary>
    private PresenceEntry? Remove(string channel, string userId, Func<KeyValuePair<string, Connection>, bool> match)
    {
        if (!_channels.TryGetValue(channel, out var users) || !users.TryGetValue(userId, out var connections))
        {
            return null;
        }
        var removed = connections.Where(match).Select(c => c.Key).ToList();
        if (removed.Count == 0)
        {
            return null;
        }
        var before = Entry(userId, connections);
        foreach (var clientId in removed)
        {
            connections.Remove(clientId);
        }
        if (connections.Count > 0)
        {
            return null;
        }
        users.Remove(userId);
        if (users.Count == 0)
        {
            _channels.Remove(channel);
        }
        return before with { Connections = 0 };
    }

    private static PresenceEntry Entry(string userId, Dictionary<string, Connection> connections)
    {
        var newest = connections.Values.MaxBy(c => c.At)!;
        return new PresenceEntry(userId, connections.Count, newest.Info, connections.Values.Min(c => c.At));
    }

    private sealed record Connection(string Node, ReadOnlyMemory<byte> Info, DateTimeOffset At);
}
