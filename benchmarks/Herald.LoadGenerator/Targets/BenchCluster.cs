using Herald.Testing;
using Npgsql;

namespace Herald.LoadGenerator.Targets;

/// <summary>What the database holds of the benchmark's channels after a run.</summary>
/// <param name="Rows">Rows of <c>herald_publications</c> with a stream offset (in history) on <c>bench:</c> channels.</param>
/// <param name="Offsets">The sum of the channels' top offsets (<c>herald_streams.top_offset</c>): how many offsets were assigned.</param>
/// <param name="TopOffsets">The top offset per channel name.</param>
public sealed record StoredCounts(long Rows, long Offsets, IReadOnlyDictionary<string, long> TopOffsets);

/// <summary>
/// A cluster of Herald nodes on one PostgreSQL database, for the <c>cluster</c> scenario: a fresh
/// database on the generator's own PostgreSQL, then <c>nodes</c> standalone servers from the
/// Release build with <c>Herald:Storage:Provider=Postgres</c>, each its own process on its own
/// loopback port, started one after the other (the first creates the schema).
/// </summary>
public sealed class BenchCluster : IAsyncDisposable
{
    private readonly List<ServerUnderTest> _nodes;

    private BenchCluster(string connectionString, List<ServerUnderTest> nodes, ProcessTree database)
    {
        ConnectionString = connectionString;
        _nodes = nodes;
        Database = database;
    }

    public string ConnectionString { get; }

    public IReadOnlyList<ServerUnderTest> Nodes => _nodes;

    /// <summary>PostgreSQL's processes (the postmaster and its backends), for their CPU.</summary>
    public ProcessTree Database { get; }

    /// <param name="connectionOptions">Appended to the nodes' connection string (Npgsql settings such as <c>Max Auto Prepare=20</c>); none when empty.</param>
    public static async Task<BenchCluster> StartAsync(TestPostgres postgres, TargetSettings settings, int nodes, string databaseName, string connectionOptions, string logDirectory, CancellationToken cancellationToken)
    {
        var connectionString = await postgres.CreateDatabaseAsync(databaseName).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(connectionOptions))
        {
            connectionString += ";" + connectionOptions;
        }
        int postmaster;
        await using (var connection = new NpgsqlConnection(connectionString + ";Pooling=false"))
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
            postmaster = ProcessTree.ParentOf((int)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!);
        }
        if (settings.Nice != 0)
        {
            // PostgreSQL at the nodes' niceness (--nice): backends forked from now on inherit it from the postmaster.
            using var renice = System.Diagnostics.Process.Start("renice", ["-n", settings.Nice.ToString(System.Globalization.CultureInfo.InvariantCulture), "-p", postmaster.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await renice.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        var started = new List<ServerUnderTest>();
        try
        {
            for (var i = 1; i <= nodes; i++)
            {
                var environment = new Dictionary<string, string>(settings.ServerEnvironment, StringComparer.Ordinal)
                {
                    ["Herald__Storage__Provider"] = "Postgres",
                    ["Herald__Storage__PostgresConnectionString"] = connectionString,
                    ["Herald__NodeName"] = $"node-{i}",
                };
                var node = await ServerUnderTest.StartAsync(settings with { ServerEnvironment = environment }, logDirectory, cancellationToken, $"{databaseName}-node{i}").ConfigureAwait(false);
                started.Add(node);
                await Console.Error.WriteLineAsync($"[cluster] node-{i}: {node.Command} (pid {node.Pid}) at {node.BaseUri}").ConfigureAwait(false);
            }
        }
        catch
        {
            foreach (var node in started)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }
            throw;
        }
        return new BenchCluster(connectionString, started, new ProcessTree(postmaster));
    }

    /// <summary>Counts what was stored for the benchmark's channels (history rows and assigned offsets).</summary>
    public async Task<StoredCounts> CountStoredAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString + ";Pooling=false");
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        long rows;
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM herald_publications WHERE channel LIKE 'bench:%' AND stream_offset IS NOT NULL", connection))
        {
            rows = (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
        }
        var tops = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var streams = new NpgsqlCommand("SELECT channel, top_offset FROM herald_streams WHERE channel LIKE 'bench:%'", connection))
        await using (var reader = await streams.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                tops[reader.GetString(0)] = reader.GetInt64(1);
            }
        }
        return new StoredCounts(rows, tops.Values.Sum(), tops);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }
}
