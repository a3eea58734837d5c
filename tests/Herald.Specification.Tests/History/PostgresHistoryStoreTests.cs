using Herald.Core.History;
using Herald.Messages;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;
using Npgsql;

namespace Herald.Specification.Tests.History;

/// <summary>The compliance suite on a fresh PostgreSQL database per test, plus what only a shared database promises.</summary>
public sealed class PostgresHistoryStoreTests : HistoryStoreSpecification
{
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    public override async Task InitializeAsync()
    {
        _database = await FreshPostgresDatabase.CreateAsync();
        await base.InitializeAsync();
    }

    protected override IHistoryStore CreateStore(TimeProvider time) => new PostgresHistoryStore(NewDatabase(), time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private PostgresDatabase NewDatabase() => Database.Open();

    private async Task<PostgresHistoryStore> SecondNodeAsync()
    {
        var store = new PostgresHistoryStore(NewDatabase(), Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();
        return store;
    }

    [Fact]
    public async Task Append_FromTwoNodesAtOnce_GivesGaplessOffsetsInOneOrder()
    {
        await using var second = await SecondNodeAsync();
        var options = Options(size: 1000);

        var placed = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            (i % 2 == 0 ? Store : second).AppendAsync(NewPublication("shared"), options, CancellationToken.None).AsTask()))).Bounded();

        placed.Select(p => p.Offset).Order().ShouldBe(Enumerable.Range(1, 200).Select(i => (long)i));
        placed.Select(p => p.Epoch).Distinct().ShouldHaveSingleItem();
        var page = await ReadAsync("shared", since: 0, limit: 1000);
        page.Publications.Select(p => p.Id).ShouldBe(placed.OrderBy(p => p.Offset).Select(p => p.Id));
    }

    [Fact]
    public async Task Restart_KeepsEpochsOffsetsPublicationsAndState()
    {
        var first = await AppendAsync("a", Options(keepState: true), key: "k");
        var idle = await PositionAsync("idle");
        await Store.DisposeAsync().Bounded();
        var store = CreateStore(Time);
        Replace(store);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        (await PositionAsync("a")).ShouldBe(new Messages.History.StreamPosition(1, first.Epoch!));
        (await PositionAsync("idle")).ShouldBe(idle);
        ShouldBeSamePublication((await StateAsync("a")).Single(), first);
        (await AppendAsync("a")).Offset.ShouldBe(2);
    }

    [Fact]
    public async Task Data_OfHalfAMegabyte_RoundTripsWithoutTheNotifyCeiling()
    {
        var large = "{\"s\":\"" + new string('x', 512 * 1024) + "\"}";

        var placed = await AppendAsync("a", data: large);

        var read = (await ReadAsync("a", since: 0, limit: 10)).Publications.Single();
        ShouldBeSamePublication(read, placed);
    }

    [Fact]
    public async Task RemoveExpired_KeepsRowsYoungerThanTheLogRetentionForTheOtherNodes()
    {
        await AppendAsync("a", Options(size: 0));
        await AppendAsync("b", Options(size: 2, ttl: TimeSpan.FromHours(1)));
        await AppendAsync("b", Options(size: 2, ttl: TimeSpan.FromHours(1)));
        await AppendAsync("b", Options(size: 2, ttl: TimeSpan.FromHours(1)));

        await RemoveExpiredAsync();
        var young = await CountRowsAsync();
        Time.Advance(PostgresHistoryStore.DefaultLogRetention + TimeSpan.FromSeconds(1));
        await RemoveExpiredAsync();

        young.ShouldBe(4L);
        // What is left is the window of "b": its two newest.
        (await CountRowsAsync()).ShouldBe(2L);
        Offsets((await ReadAsync("b", since: 0, limit: 10)).Publications).ShouldBe([2, 3]);
    }

    [Fact]
    public async Task Calls_BeforeInitializeAsync_ThrowAClearError()
    {
        await using var store = new PostgresHistoryStore(NewDatabase(), Time);

        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.GetPositionAsync("a", CancellationToken.None).AsTask().Bounded());

        error.Message.ShouldContain(nameof(PostgresDatabase.InitializeAsync));
        (await store.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed()
    {
        await Store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => Store.GetPositionAsync("a", CancellationToken.None).AsTask().Bounded());
        (await Store.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
        await Store.DisposeAsync().Bounded();
    }

    [Fact]
    public async Task InitializeAsync_OnAnUnreachableServer_ThrowsNamingIt()
    {
        await using var database = new PostgresDatabase("Host=127.0.0.1;Port=1;Username=herald;Database=nowhere;Timeout=2");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => database.InitializeAsync(CancellationToken.None).Bounded());

        error.Message.ShouldContain("127.0.0.1:1/nowhere");
    }

    private async Task<long> CountRowsAsync()
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync().Bounded();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM herald_publications", connection);
        return (long)(await command.ExecuteScalarAsync().Bounded())!;
    }
}
