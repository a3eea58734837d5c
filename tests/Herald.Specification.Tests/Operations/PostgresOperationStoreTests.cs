using System.Text;
using Herald.Core.Operations;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;
using Npgsql;

namespace Herald.Specification.Tests.Operations;

/// <summary>
/// The compliance suite on a fresh database per test, plus what only a store shared by several
/// nodes promises. A second <see cref="PostgresDatabase"/> on the same database is a second node.
/// </summary>
public sealed class PostgresOperationStoreTests : OperationStoreSpecification
{
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    private string ConnectionString => Database.ConnectionString;

    protected override IOperationStore CreateStore() => new PostgresOperationStore(NewDatabase());

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

    private PostgresDatabase NewDatabase() => Database.Open();

    /// <summary>Another node on the same database, initialized.</summary>
    private async Task<PostgresOperationStore> SecondNodeAsync()
    {
        var store = new PostgresOperationStore(NewDatabase());
        await store.InitializeAsync(CancellationToken.None).Bounded();
        return store;
    }

    [Fact]
    public async Task Operations_SurviveANewDatabaseInstance()
    {
        Time.Advance(TimeSpan.FromTicks(123_457));
        var running = await MoveAsync(await CreatedAsync(NewOperation(resource: "r1", idempotencyKey: "k1") with
        {
            Parameters = Encoding.UTF8.GetBytes("""{"é":"😀"}"""),
            Message = "working",
        }), OperationStatus.Running);
        var done = await MoveAsync(await CreatedAsync(NewOperation(resource: "r2")), OperationStatus.Completed);
        await Store.DisposeAsync().Bounded();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        Replace(await SecondNodeAsync());

        ShouldBeSameOperation(await GetAsync(running.Id), running);
        ShouldBeSameOperation(await GetAsync(done.Id), done);
        Ids(await ListAsync()).ShouldBe([done.Id, running.Id]);
        var duplicate = await CreateAsync(NewOperation(resource: "r1"));
        duplicate.Created.ShouldBeFalse();
        duplicate.Operation.Id.ShouldBe(running.Id);
        var sameKey = await CreateAsync(NewOperation(resource: "r9", idempotencyKey: "k1"));
        sameKey.SameIdempotencyKey.ShouldBeTrue();
        sameKey.Operation.Id.ShouldBe(running.Id);
        (await TryUpdateAsync(running with { Version = running.Version + 1 }, running.Version)).ShouldBeTrue();
    }

    [Fact]
    public async Task Create_ConcurrentlyOnTwoNodes_CreatesExactlyOne()
    {
        var second = await SecondNodeAsync();

        // Several rounds, each on its own resource, so that the race is really run.
        for (var round = 0; round < 5; round++)
        {
            var candidates = Enumerable.Range(0, 10).Select(_ => NewOperation(resource: $"r{round}")).ToArray();

            var results = await Task.WhenAll(candidates.Select((c, i) => Task.Run(() =>
                (i % 2 == 0 ? Store : second).CreateAsync(c, CancellationToken.None).AsTask()))).Bounded();

            results.Count(r => r.Created).ShouldBe(1);
            results.Select(r => r.Operation.Id).Distinct().Count().ShouldBe(1);
            results.ShouldAllBe(r => !r.SameIdempotencyKey);
        }
        (await ListAsync()).Count.ShouldBe(5);
    }

    [Fact]
    public async Task Create_ConcurrentlyWithTheSameKeyOnTwoNodes_CreatesExactlyOne()
    {
        var second = await SecondNodeAsync();

        for (var round = 0; round < 5; round++)
        {
            // Each on another resource, so that only the key can match.
            var candidates = Enumerable.Range(0, 10).Select(i => NewOperation(resource: $"r{round}/{i}", idempotencyKey: $"k{round}")).ToArray();

            var results = await Task.WhenAll(candidates.Select((c, i) => Task.Run(() =>
                (i % 2 == 0 ? Store : second).CreateAsync(c, CancellationToken.None).AsTask()))).Bounded();

            var created = results.Where(r => r.Created).ToArray();
            created.Length.ShouldBe(1);
            results.Where(r => !r.Created).ShouldAllBe(r => r.SameIdempotencyKey && r.Operation.Id == created[0].Operation.Id);
            ShouldBeSameOperation(await second.GetAsync(created[0].Operation.Id, CancellationToken.None).Bounded(), created[0].Operation);
        }
        (await ListAsync()).Count.ShouldBe(5);
    }

    [Fact]
    public async Task SecondActiveOperationOrKey_IsRejectedByTheSchemaItself()
    {
        await CreatedAsync(NewOperation(org: "acme", type: "t", resource: "r", idempotencyKey: "k"));

        var active = await Should.ThrowAsync<PostgresException>(() => PostgresSql.ScalarAsync(ConnectionString, """
            INSERT INTO herald_operations (id, org_id, type, resource, status, progress, created_by, created_at, updated_at, attempt, cancel_requested, version)
            SELECT 'op_sneaky', org_id, type, resource, 'running', 0, 'x', created_at, updated_at, 1, false, 1 FROM herald_operations;
            """));
        var key = await Should.ThrowAsync<PostgresException>(() => PostgresSql.ScalarAsync(ConnectionString, """
            INSERT INTO herald_operations (id, org_id, type, resource, status, progress, created_by, created_at, updated_at, attempt, idempotency_key, cancel_requested, version)
            SELECT 'op_sneaky', org_id, type, 'elsewhere', 'completed', 100, 'x', created_at, updated_at, 1, idempotency_key, false, 1 FROM herald_operations;
            """));

        active.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        active.ConstraintName.ShouldBe("herald_operations_one_active");
        key.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        key.ConstraintName.ShouldBe("herald_operations_idempotency");
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_operations;")).ShouldBe(1L);
    }

    [Fact]
    public async Task Create_WithTheIdOfAnotherOperation_ThrowsInsteadOfRetrying()
    {
        var first = await CreatedAsync(NewOperation(resource: "r1"));

        var error = await Should.ThrowAsync<PostgresException>(() => CreateAsync(NewOperation(resource: "r2") with { Id = first.Id }));

        error.SqlState.ShouldBe(PostgresErrorCodes.UniqueViolation);
        Ids(await ListAsync()).ShouldBe([first.Id]);
    }

    [Fact]
    public async Task Columns_HoldTheRawJsonBytesAndUnixTicks()
    {
        var parameters = Encoding.UTF8.GetBytes("""{"a":"\u00e9 é"}""");
        Time.Advance(TimeSpan.FromTicks(7));
        var operation = await CreatedAsync(NewOperation() with { Parameters = parameters });

        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT parameters FROM herald_operations;")).ShouldBe(parameters);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT result FROM herald_operations;")).ShouldBe(DBNull.Value);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT created_at FROM herald_operations;"))
            .ShouldBe((operation.CreatedAt - DateTimeOffset.UnixEpoch).Ticks);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT status FROM herald_operations;")).ShouldBe("pending");
    }

    [Fact]
    public async Task List_OrdersIdsByteByByte_WhateverTheDatabaseCollation()
    {
        // Ordinal order: 'A' (0x41) < '-' after 'a' (0x2D) < '_' after 'a' (0x5F) < 'b'; a linguistic collation disagrees.
        string[] ids = ["op_a_1", "op_b", "op_A_3", "op_a-2"];
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            await CreatedAsync(NewOperation(resource: $"r{i}") with { Id = id });
        }

        Ids(await ListAsync()).ShouldBe(["op_b", "op_a_1", "op_a-2", "op_A_3"]);
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed_AndLeaveTheDatabaseOpen()
    {
        var database = NewDatabase();
        var store = new PostgresOperationStore(database);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        await store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => store.GetAsync("op_1", CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.CreateAsync(NewOperation(), CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.ListAsync("acme", null, false, 10, CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.InitializeAsync(CancellationToken.None));
        await store.DisposeAsync().Bounded();
        (await database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
    }

    [Fact]
    public async Task Calls_BeforeInitialize_Throw()
    {
        var store = new PostgresOperationStore(NewDatabase());

        await Should.ThrowAsync<InvalidOperationException>(() => store.GetAsync("op_1", CancellationToken.None).AsTask());
    }
}
