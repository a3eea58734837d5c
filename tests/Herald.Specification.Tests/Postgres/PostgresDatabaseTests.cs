using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Storage.Postgres.Schema;
using Herald.Testing;

namespace Herald.Specification.Tests.Postgres;

/// <summary>The schema's creation and migration by several nodes at once, each test on a fresh database.</summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    private string ConnectionString => Database.ConnectionString;

    public async Task InitializeAsync() =>
        _database = await FreshPostgresDatabase.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    private PostgresDatabase NewDatabase() => Database.Open();

    [Fact]
    public async Task Initialize_ByFiveNodesAtOnceOnAFreshDatabase_AllSucceedAndRecordEachVersionOnce()
    {
        var nodes = Enumerable.Range(0, 5).Select(_ => NewDatabase()).ToArray();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var initializations = nodes.Select(node => Task.Run(async () =>
        {
            await start.Task;
            await node.InitializeAsync(CancellationToken.None);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(initializations).Bounded();

        var versions = await PostgresSql.PairsAsync(ConnectionString, "SELECT version, count(*) FROM herald_schema GROUP BY version ORDER BY version;");
        versions.ShouldBe(SchemaMigrations.All.Select(m => ((object)m.Version, (object)1L)).ToList());
        versions.Count.ShouldBe(SchemaMigrations.Latest);
        foreach (var node in nodes)
        {
            (await node.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
        }
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_operations;")).ShouldBe(0L);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_notification_marks;")).ShouldBe(0L);
    }

    [Fact]
    public async Task Initialize_OfAnAlreadyMigratedDatabase_ChangesNothing()
    {
        await NewDatabase().InitializeAsync(CancellationToken.None).Bounded();

        await NewDatabase().InitializeAsync(CancellationToken.None).Bounded();

        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_schema;")).ShouldBe((long)SchemaMigrations.Latest);
    }

    [Fact]
    public async Task Initialize_OfADatabaseWithANewerSchema_IsRefusedNamingTheVersion()
    {
        var newer = SchemaMigrations.Latest + 40;
        await PostgresSql.ScalarAsync(ConnectionString, SchemaMigrations.CreateVersionTable);
        await PostgresSql.ScalarAsync(ConnectionString, $"INSERT INTO herald_schema (version) VALUES ({newer});");
        var database = NewDatabase();

        var error = await Should.ThrowAsync<InvalidOperationException>(() => database.InitializeAsync(CancellationToken.None).Bounded());
        var throughStore = await Should.ThrowAsync<InvalidOperationException>(() =>
            new PostgresOperationStore(database).InitializeAsync(CancellationToken.None).Bounded());

        error.Message.ShouldContain($"version {newer}");
        throughStore.Message.ShouldContain($"version {newer}");
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT to_regclass('herald_operations') IS NULL;")).ShouldBe(true);
        (await database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
    }
}
