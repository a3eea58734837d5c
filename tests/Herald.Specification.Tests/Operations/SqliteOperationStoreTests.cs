using System.Text;
using Herald.Core.Operations;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Herald.Specification.Tests.Operations;

/// <summary>The compliance suite on a fresh file per test, plus what only a durable store promises.</summary>
public sealed class SqliteOperationStoreTests : OperationStoreSpecification
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _directory.File("herald.db");

    protected override IOperationStore CreateStore() => new SqliteOperationStore(NewDatabase(DatabasePath));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _databases)
        {
            await database.DisposeAsync().Bounded();
        }
        _directory.Dispose();
    }

    private SqliteDatabase NewDatabase(string path)
    {
        var database = new SqliteDatabase(path);
        _databases.Add(database);
        return database;
    }

    private async Task RestartAsync()
    {
        await Store.DisposeAsync().Bounded();
        foreach (var database in _databases)
        {
            await database.DisposeAsync().Bounded();
        }
        var store = CreateStore();
        Replace(store);
        await store.InitializeAsync(CancellationToken.None).Bounded();
    }

    [Fact]
    public async Task Operations_SurviveReopeningTheFile()
    {
        Time.Advance(TimeSpan.FromTicks(123_457));
        var running = await MoveAsync(await CreatedAsync(NewOperation(resource: "r1", idempotencyKey: "k1") with
        {
            Parameters = Encoding.UTF8.GetBytes("""{"é":"😀"}"""),
            Message = "working",
        }), OperationStatus.Running);
        var done = await MoveAsync(await CreatedAsync(NewOperation(resource: "r2")), OperationStatus.Completed);

        await RestartAsync();

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
    public async Task Create_ConcurrentlyThroughTwoConnections_CreatesExactlyOne()
    {
        // A second database on the same file is a second connection, as another process would have.
        var second = new SqliteOperationStore(NewDatabase(DatabasePath));
        await second.InitializeAsync(CancellationToken.None).Bounded();
        var candidates = Enumerable.Range(0, 20).Select(_ => NewOperation()).ToArray();

        var results = await Task.WhenAll(candidates.Select((c, i) => Task.Run(() =>
            (i % 2 == 0 ? Store : second).CreateAsync(c, CancellationToken.None).AsTask()))).Bounded();

        results.Count(r => r.Created).ShouldBe(1);
        results.Select(r => r.Operation.Id).Distinct().Count().ShouldBe(1);
    }

    [Fact]
    public async Task SecondActiveOperation_IsRejectedByTheSchemaItself()
    {
        await CreatedAsync(NewOperation(org: "acme", type: "t", resource: "r"));
        await Store.DisposeAsync().Bounded();

        var error = await Should.ThrowAsync<SqliteException>(() => TemporaryDirectory.ScalarAsync(DatabasePath, """
            INSERT INTO operations (id, org_id, type, resource, status, progress, created_by, created_at, updated_at, attempt, cancel_requested, version)
            SELECT 'op_sneaky', org_id, type, resource, 'running', 0, 'x', created_at, updated_at, 1, 0, 1 FROM operations;
            """));

        error.SqliteErrorCode.ShouldBe(19); // SQLITE_CONSTRAINT
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT count(*) FROM operations;")).ShouldBe(1L);
    }

    [Fact]
    public async Task Columns_HoldTheRawJsonBytesAndUnixTicks()
    {
        var parameters = Encoding.UTF8.GetBytes("""{"a":"\u00e9 é"}""");
        Time.Advance(TimeSpan.FromTicks(7));
        var operation = await CreatedAsync(NewOperation() with { Parameters = parameters });

        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT parameters FROM operations;")).ShouldBe(parameters);
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT result FROM operations;")).ShouldBe(DBNull.Value);
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT created_at FROM operations;"))
            .ShouldBe((operation.CreatedAt - DateTimeOffset.UnixEpoch).Ticks);
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT status FROM operations;")).ShouldBe("pending");
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed()
    {
        await Store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => GetAsync("op_1"));
        await Store.DisposeAsync().Bounded();
    }
}
