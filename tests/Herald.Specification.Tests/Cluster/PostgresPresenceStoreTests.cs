using Herald.Core.Cluster;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Cluster;

/// <summary>The presence suite on a fresh database per test; each store is a node with a <see cref="PostgresDatabase"/> (a pool) of its own.</summary>
public sealed class PostgresPresenceStoreTests : PresenceStoreSpecification
{
    private readonly List<PostgresDatabase> _databases = [];
    private string? _connectionString;

    protected override IPresenceStore CreateStore()
    {
        var database = new PostgresDatabase(_connectionString ?? throw new InvalidOperationException("no database yet"));
        _databases.Add(database);
        return new PostgresPresenceStore(database);
    }

    public override async Task InitializeAsync()
    {
        // Not bounded: the first test of the run starts the server.
        _connectionString = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _databases)
        {
            await database.DisposeAsync().Bounded();
        }
    }

    [Fact]
    public async Task Entries_AreKeptWithTheirNode_AndTheExactInfoBytes()
    {
        var info = "{\"view\":\"\\u00e9 é\"}"u8.ToArray();
        await Store.JoinAsync(Channel, "u_1", "c_1", "node-a", info, DateTimeOffset.UnixEpoch.AddTicks(12_345), CancellationToken.None).Bounded();

        var row = (await PostgresSql.PairsAsync(_connectionString!, "SELECT node, info FROM herald_presence;")).ShouldHaveSingleItem();
        row.First.ShouldBe("node-a");
        row.Second.ShouldBe(info);
        (await PostgresSql.ScalarAsync(_connectionString!, "SELECT joined_at FROM herald_presence;")).ShouldBe(12_345L);
    }
}
