using Herald.Messages.Presence;

namespace Herald.Core.Cluster;

/// <summary>
/// Who is in which channel, for the whole cluster: one entry per subscribed connection, carrying
/// the node that holds the connection. Nodes join and leave entries as their connections
/// subscribe and unsubscribe; the store decides, for the whole cluster at once, whether a join is
/// a user's first connection in the channel and whether a leave is the last, so that the join and
/// leave events go out once per user however many nodes the user's connections are on.
/// </summary>
/// <remarks>
/// The contract every implementation keeps, and that the presence compliance suite in
/// tests/Herald.Specification.Tests checks:
/// <list type="bullet">
/// <item>Join and leave decisions are atomic per (channel, user) across the cluster: of any
/// number of concurrent joins of one user's connections, on any nodes, exactly one answers an
/// entry; of the leaves that take the user's last connections away, exactly one answers the
/// final entry. A leave of a connection that is not present answers null.</item>
/// <item>Entries are aggregated per user: <see cref="PresenceEntry.Connections"/> counts the
/// user's connections in the channel on every node, <see cref="PresenceEntry.Info"/> is the info
/// of the newest, <see cref="PresenceEntry.Since"/> the join time of the oldest.</item>
/// <item><see cref="RemoveNodeAsync"/> removes every entry of a node (one that died, or a previous
/// run of a node of the same name) and answers one leave per (channel, user) that has no
/// connection left, as <see cref="LeaveAsync"/> would have.</item>
/// </list>
/// Every member is thread-safe. The caller owns the store: nodes sharing it do not dispose it.
/// </remarks>
public interface IPresenceStore
{
    /// <summary>Creates or migrates the store's storage where it has any. Idempotent; called by each node at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Adds the connection <paramref name="clientId"/> of <paramref name="userId"/>, held by
    /// <paramref name="node"/>, to the channel. Returns the user's entry when it is the user's first
    /// connection in the channel anywhere in the cluster, else null.
    /// </summary>
    ValueTask<PresenceEntry?> JoinAsync(string channel, string userId, string clientId, string node, ReadOnlyMemory<byte> info, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Removes the connection from the channel. Returns the user's entry as it was before, with
    /// <see cref="PresenceEntry.Connections"/> 0, when the user has no connection left in the
    /// channel anywhere in the cluster; else (or when the connection was not present) null.
    /// </summary>
    ValueTask<PresenceEntry?> LeaveAsync(string channel, string userId, string clientId, CancellationToken cancellationToken);

    /// <summary>Who is in the channel, one entry per user across every node, ordered by user id (ordinal).</summary>
    ValueTask<IReadOnlyList<PresenceEntry>> ListAsync(string channel, CancellationToken cancellationToken);

    /// <summary>Removes every entry held by <paramref name="node"/>; returns the leaves this caused, per channel.</summary>
    ValueTask<IReadOnlyList<(string Channel, PresenceEntry Left)>> RemoveNodeAsync(string node, CancellationToken cancellationToken);
}
