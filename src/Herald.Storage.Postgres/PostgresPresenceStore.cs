using Herald.Core.Cluster;
using Herald.Messages.Presence;
using Herald.Storage.Postgres.Internal;
using Herald.Storage.Postgres.Schema;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>
/// Presence in a PostgreSQL database shared by every node of a cluster through a
/// <see cref="PostgresDatabase"/>: one row per subscribed connection, carrying its node
/// (<c>herald_presence</c>).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Fulfils the <see cref="IPresenceStore"/> contract, checked by the shared compliance suite.
/// A join or a leave is one transaction on a pooled connection that first takes a
/// transaction-scoped advisory lock on its (channel, user): the statements after the lock see
/// every earlier decision of that pair committed, so first and last connections are decided once
/// for the whole cluster. Pairs do not wait for each other (but for a rare hash collision).</item>
/// <item>Removing a dead node's entries goes pair by pair, each under its lock, so a leave on a
/// live node at the same moment is counted once.</item>
/// <item>Thread-safe. The caller owns the database and disposes it after this store.</item>
/// </list>
/// </remarks>
public sealed class PostgresPresenceStore : IPresenceStore
{
    private readonly PostgresDatabase _database;

    /// <summary>A store on <paramref name="database"/>, which the caller owns and disposes after this store.</summary>
    public PostgresPresenceStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Creates or migrates the schema of every store on the database (see <see cref="PostgresDatabase.InitializeAsync"/>). Idempotent.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _database.InitializeAsync(cancellationToken);

    public async ValueTask<PresenceEntry?> JoinAsync(string channel, string userId, string clientId, string node, ReadOnlyMemory<byte> info, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(clientId);
        ArgumentNullException.ThrowIfNull(node);
        _database.ThrowIfNotInitialized();
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, channel, userId, cancellationToken).ConfigureAwait(false);
        await using (var upsert = new NpgsqlCommand(PresenceTable.Upsert, connection))
        {
            upsert.Parameters.AddText(channel);
            upsert.Parameters.AddText(userId);
            upsert.Parameters.AddText(clientId);
            upsert.Parameters.AddText(node);
            upsert.Parameters.AddBytesOrNull(info);
            upsert.Parameters.AddTime(at);
            await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        long connections;
        await using (var count = new NpgsqlCommand(PresenceTable.CountUser, connection))
        {
            count.Parameters.AddText(channel);
            count.Parameters.AddText(userId);
            connections = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return connections == 1 ? new PresenceEntry(userId, 1, info, at) : null;
    }

    public ValueTask<PresenceEntry?> LeaveAsync(string channel, string userId, string clientId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        ArgumentNullException.ThrowIfNull(userId);
        ArgumentNullException.ThrowIfNull(clientId);
        _database.ThrowIfNotInitialized();
        return RemoveAsync(channel, userId, clientId, PresenceTable.SummarizeUserOfClient, PresenceTable.DeleteClient, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<PresenceEntry>> ListAsync(string channel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _database.ThrowIfNotInitialized();
        await using var select = _database.DataSource.CreateCommand(PresenceTable.SelectChannel);
        select.Parameters.AddText(channel);
        var entries = new List<PresenceEntry>();
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                entries.Add(new PresenceEntry(reader.GetString(0), checked((int)reader.GetInt64(1)), Columns.ReadBytes(reader, 3), Columns.ReadTime(reader, 2)));
            }
        }
        // The database orders UTF-8 bytes; .NET's ordinal order is UTF-16's, which differs beyond the BMP.
        entries.Sort(static (x, y) => string.CompareOrdinal(x.UserId, y.UserId));
        return entries;
    }

    public async ValueTask<IReadOnlyList<(string Channel, PresenceEntry Left)>> RemoveNodeAsync(string node, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        _database.ThrowIfNotInitialized();
        var pairs = new List<(string Channel, string User)>();
        await using (var select = _database.DataSource.CreateCommand(PresenceTable.SelectPairsOfNode))
        {
            select.Parameters.AddText(node);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                pairs.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var leaves = new List<(string, PresenceEntry)>();
        foreach (var (channel, user) in pairs)
        {
            if (await RemoveAsync(channel, user, node, PresenceTable.SummarizeUserOfNode, PresenceTable.DeleteUserOfNode, cancellationToken).ConfigureAwait(false) is { } left)
            {
                leaves.Add((channel, left));
            }
        }
        return leaves;
    }

    /// <summary>
    /// Under the pair's lock: reads the user's entry and how many of its connections
    /// <paramref name="summarySql"/> matches ($3), deletes those, and answers the entry (with 0
    /// connections) when they were all the user had.
    /// </summary>
    private async ValueTask<PresenceEntry?> RemoveAsync(string channel, string userId, string match, string summarySql, string deleteSql, CancellationToken cancellationToken)
    {
        await using var connection = await _database.DataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, channel, userId, cancellationToken).ConfigureAwait(false);
        long connections;
        long matched;
        DateTimeOffset since = default;
        ReadOnlyMemory<byte> info = default;
        await using (var summary = new NpgsqlCommand(summarySql, connection))
        {
            summary.Parameters.AddText(channel);
            summary.Parameters.AddText(userId);
            summary.Parameters.AddText(match);
            await using var reader = await summary.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            connections = reader.GetInt64(0);
            matched = reader.GetInt64(3);
            if (connections > 0)
            {
                since = Columns.ReadTime(reader, 1);
                info = Columns.ReadBytes(reader, 2);
            }
        }
        if (matched == 0)
        {
            return null;
        }
        await using (var delete = new NpgsqlCommand(deleteSql, connection))
        {
            delete.Parameters.AddText(channel);
            delete.Parameters.AddText(userId);
            delete.Parameters.AddText(match);
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return matched == connections ? new PresenceEntry(userId, 0, info, since) : null;
    }

    private static async Task LockAsync(NpgsqlConnection connection, string channel, string userId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(PresenceTable.Lock, connection);
        command.Parameters.AddText(channel);
        command.Parameters.AddText(userId);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
