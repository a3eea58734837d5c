using System.Collections.Concurrent;

namespace Herald.Core;

/// <summary>
/// The connections of this node, by id and by user. Enforces connections per user. Thread-safe.
/// </summary>
public sealed class ConnectionRegistry(int maxConnectionsPerUser)
{
    private readonly ConcurrentDictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<Client>> _users = new(StringComparer.Ordinal);

    /// <summary>Open connections.</summary>
    public int Count => _clients.Count;

    /// <summary>Distinct authenticated users with at least one connection.</summary>
    public int UserCount => _users.Count;

    /// <summary>A snapshot of the open connections.</summary>
    public ICollection<Client> Clients => _clients.Values;

    internal void Add(Client client) => _clients[client.Id] = client;

    /// <summary>Adds an authenticated connection to its user; false when the user is at the limit.</summary>
    internal bool TryAddUser(Client client, string userId)
    {
        while (true)
        {
            var list = _users.GetOrAdd(userId, static _ => []);
            lock (list)
            {
                // A list removed from the map while we waited is dead: retry with a fresh one.
                if (!_users.TryGetValue(userId, out var current) || !ReferenceEquals(current, list))
                {
                    continue;
                }
                if (list.Count >= maxConnectionsPerUser)
                {
                    if (list.Count == 0)
                    {
                        _users.TryRemove(new KeyValuePair<string, List<Client>>(userId, list));
                    }
                    return false;
                }
                list.Add(client);
                return true;
            }
        }
    }

    internal void Remove(Client client)
    {
        _clients.TryRemove(client.Id, out _);
        if (client.Principal is not { } principal || !_users.TryGetValue(principal.UserId, out var list))
        {
            return;
        }
        lock (list)
        {
            list.Remove(client);
            if (list.Count == 0)
            {
                _users.TryRemove(new KeyValuePair<string, List<Client>>(principal.UserId, list));
            }
        }
    }

    /// <summary>The connections of one user.</summary>
    public Client[] ForUser(string userId)
    {
        if (!_users.TryGetValue(userId, out var list))
        {
            return [];
        }
        lock (list)
        {
            return [.. list];
        }
    }
}
