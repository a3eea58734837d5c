using Herald.Core.Cluster;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Cluster;

/// <summary>The membership suite on a fresh database per test; each registry is a node with a <see cref="PostgresDatabase"/> of its own.</summary>
public sealed class PostgresClusterMembershipTests : ClusterMembershipSpecification
{
    private readonly List<PostgresClusterMembership> _memberships = [];
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    private string ConnectionString => Database.ConnectionString;

    protected override IClusterMembership CreateMembership()
    {
        var membership = new PostgresClusterMembership(Database.Open());
        _memberships.Add(membership);
        return membership;
    }

    protected override Task AgeAsync(string node, TimeSpan by) =>
        PostgresSql.ScalarAsync(ConnectionString, $"UPDATE herald_nodes SET heartbeat_at = heartbeat_at - interval '{(long)by.TotalMilliseconds} milliseconds' WHERE name = '{node}';");

    public override async Task InitializeAsync()
    {
        _database = await FreshPostgresDatabase.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var membership in _memberships)
        {
            await membership.DisposeAsync().Bounded();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task ALease_WhoseConnectionDies_IsReleased_AndDisposingItStillWorks()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        var lease = (await a.TryLeadAsync("job.one", CancellationToken.None).Bounded()).ShouldNotBeNull();
        (await b.TryLeadAsync("job.one", CancellationToken.None).Bounded()).ShouldBeNull();

        // Waits (up to 5 s) until the holder's backend is gone, and with it the lock.
        (await PostgresSql.ScalarAsync(ConnectionString,
            "SELECT bool_and(pg_terminate_backend(pid, 5000)) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1752329324 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database());")).ShouldBe(true);

        var next = await b.TryLeadAsync("job.one", CancellationToken.None).Bounded();
        next.ShouldNotBeNull();
        await lease.DisposeAsync().AsTask().Bounded();
        await next.DisposeAsync().AsTask().Bounded();
        // a opens a new connection for its next lease.
        (await a.TryLeadAsync("job.one", CancellationToken.None).Bounded()).ShouldNotBeNull();
    }

    [Fact]
    public async Task Leases_OfOneNode_ShareOneConnection_AndDisposingTheRegistryReleasesThem()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        (await a.TryLeadAsync("job.one", CancellationToken.None).Bounded()).ShouldNotBeNull();
        (await a.TryLeadAsync("job.two", CancellationToken.None).Bounded()).ShouldNotBeNull();

        (await PostgresSql.ScalarAsync(ConnectionString,
            "SELECT count(DISTINCT pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 1752329324 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database());")).ShouldBe(1L);

        await ((PostgresClusterMembership)a).DisposeAsync().Bounded();
        (await b.TryLeadAsync("job.one", CancellationToken.None).Bounded()).ShouldNotBeNull();
        (await b.TryLeadAsync("job.two", CancellationToken.None).Bounded()).ShouldNotBeNull();
    }

    [Fact]
    public async Task Heartbeats_AreStampedWithTheDatabasesClock()
    {
        var a = await StartAsync("a");
        await a.HeartbeatAsync(new NodeReport { Name = "a", Version = "1", StartedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None).Bounded();

        var lastSeen = (await a.ListNodesAsync(CancellationToken.None).Bounded()).ShouldHaveSingleItem().LastSeen;
        var now = (DateTime)(await PostgresSql.ScalarAsync(ConnectionString, "SELECT clock_timestamp();"))!;

        lastSeen.ShouldBeLessThanOrEqualTo(new DateTimeOffset(now, TimeSpan.Zero));
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_nodes WHERE heartbeat_at > clock_timestamp();")).ShouldBe(0L);
    }
}
