using Herald.Core.Cluster;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Cluster;

/// <summary>The presence suite on a fresh database per test; each store is a node with a <see cref="PostgresDatabase"/> (a pool) of its own.</summary>
public sealed class PostgresPresenceStoreTests : PresenceStoreSpecification
{
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    protected override IPresenceStore CreateStore() => new PostgresPresenceStore(Database.Open());

    public override async Task InitializeAsync()
    {
        _database = await FreshPostgresDatabase.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Entries_AreKeptWithTheirNode_AndTheExactInfoBytes()
    {
        var info = "{\"view\":\"\\u00e9 é\"}"u8.ToArray();
        await Store.JoinAsync(Channel, "u_1", "c_1", "node-a", info, DateTimeOffset.UnixEpoch.AddTicks(12_345), CancellationToken.None).Bounded();

        var row = (await PostgresSql.PairsAsync(Database.ConnectionString, "SELECT node, info FROM herald_presence;")).ShouldHaveSingleItem();
        row.First.ShouldBe("node-a");
        row.Second.ShouldBe(info);
        (await PostgresSql.ScalarAsync(Database.ConnectionString, "SELECT joined_at FROM herald_presence;")).ShouldBe(12_345L);
    }
}
