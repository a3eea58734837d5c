using System.Text;
using Herald.Core;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Sqlite;

namespace Herald.Specification.Tests.Sqlite;

/// <summary>The three SQLite stores on one <see cref="SqliteDatabase"/>: one file, one connection, one owner.</summary>
public sealed class SqliteDatabaseTests : IAsyncLifetime
{
    private readonly TemporaryDirectory _directory = new();
    private readonly FakeTimeProvider _time = new();
    private SqliteDatabase _database = null!;
    private SqliteHistoryStore _history = null!;
    private SqliteOperationStore _operations = null!;
    private SqliteNotificationStore _notifications = null!;

    private string DatabasePath => _directory.File("herald.db");

    public Task InitializeAsync()
    {
        Open();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await CloseAsync();
        _directory.Dispose();
    }

    private void Open()
    {
        _database = new SqliteDatabase(DatabasePath);
        _history = new SqliteHistoryStore(_database, _time);
        _operations = new SqliteOperationStore(_database);
        _notifications = new SqliteNotificationStore(_database, _time);
    }

    /// <summary>As a host shuts down: the stores first, then the database, by its owner.</summary>
    private async Task CloseAsync()
    {
        await _history.DisposeAsync().Bounded();
        await _operations.DisposeAsync().Bounded();
        await _notifications.DisposeAsync().Bounded();
        await _database.DisposeAsync().Bounded();
    }

    private Task InitializeAllAsync() => Task.WhenAll(
        _history.InitializeAsync(CancellationToken.None),
        _operations.InitializeAsync(CancellationToken.None),
        _notifications.InitializeAsync(CancellationToken.None)).Bounded();

    private Publication NewPublication(string channel) => new()
    {
        Id = Publication.NewId(),
        Channel = channel,
        Type = "test.event",
        Data = Encoding.UTF8.GetBytes("""{"n":1}"""),
        Timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    private Operation NewOperation(int i) => new()
    {
        Id = $"op_{i:D6}",
        OrgId = "acme",
        Type = "service.restart",
        Resource = $"connection:acme/{i}",
        CreatedBy = "user-1",
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
        Parameters = Encoding.UTF8.GetBytes($$"""{"i":{{i}}}"""),
        Version = 1,
    };

    private Notification NewNotification(int i) => new()
    {
        Id = $"n_{i:D6}",
        OrgId = "acme",
        Title = $"#{i}",
        Message = "m",
        Level = "info",
        CreatedAt = _time.GetUtcNow(),
    };

    [Fact]
    public async Task InitializeAsync_FromEveryStoreAtOnce_OpensTheFileOnceWithEverySchema()
    {
        await InitializeAllAsync();
        await _database.InitializeAsync(CancellationToken.None).Bounded();

        (await TemporaryDirectory.ScalarAsync(DatabasePath, "PRAGMA user_version;")).ShouldBe(4L);
        (await _database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
        (await _history.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
        _database.PreviousShutdownWasUnclean.ShouldBeFalse();
    }

    [Fact]
    public async Task InitializeAsync_AfterACancelledAttempt_TriesAgain()
    {
        await Should.ThrowAsync<OperationCanceledException>(() => _database.InitializeAsync(new CancellationToken(canceled: true)).Bounded());

        await InitializeAllAsync();

        (await _history.GetPositionAsync("a", CancellationToken.None).Bounded()).Offset.ShouldBe(0);
    }

    [Fact]
    public async Task Stores_OnOneDatabase_WorkInParallelAndSurviveReopening()
    {
        await InitializeAllAsync();
        const int Count = 20;

        var appends = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
            await _history.AppendAsync(NewPublication($"c{i % 4}"), new HistoryOptions(100, TimeSpan.FromHours(1), false, 0), CancellationToken.None)));
        var creates = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
            (await _operations.CreateAsync(NewOperation(i), CancellationToken.None)).Created));
        var adds = Enumerable.Range(0, Count).Select(i => Task.Run(async () =>
            await _notifications.AddAsync(NewNotification(i), CancellationToken.None)));
        var placed = Task.WhenAll(appends);
        var created = Task.WhenAll(creates);
        await Task.WhenAll(placed, created, Task.WhenAll(adds)).Bounded();

        placed.Result.GroupBy(p => p.Channel).ShouldAllBe(g => g.Select(p => p.Offset).Order().SequenceEqual(Enumerable.Range(1, Count / 4).Select(o => (long)o)));
        created.Result.ShouldAllBe(c => c);
        await CloseAsync();
        Open();
        await InitializeAllAsync();

        _database.PreviousShutdownWasUnclean.ShouldBeFalse();
        for (var c = 0; c < 4; c++)
        {
            var position = await _history.GetPositionAsync($"c{c}", CancellationToken.None).Bounded();
            position.ShouldBe(new StreamPosition(Count / 4, placed.Result.First(p => p.Channel == $"c{c}").Epoch!));
        }
        (await _operations.ListAsync("acme", null, activeOnly: true, limit: 100, CancellationToken.None).Bounded()).Count.ShouldBe(Count);
        (await _operations.GetAsync("op_000007", CancellationToken.None).Bounded())!.Parameters.ToArray().ShouldBe(Encoding.UTF8.GetBytes("""{"i":7}"""));
        (await _notifications.CountUnreadAsync("u1", "acme", CancellationToken.None).Bounded()).ShouldBe(Count);
    }

    [Fact]
    public async Task DisposingAStore_LeavesTheDatabaseOpenForTheOthers()
    {
        await InitializeAllAsync();

        await _operations.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => _operations.GetAsync("op_1", CancellationToken.None).AsTask().Bounded());
        (await _history.AppendAsync(NewPublication("a"), new HistoryOptions(10, TimeSpan.FromHours(1), false, 0), CancellationToken.None).Bounded()).Offset.ShouldBe(1);
        await _notifications.AddAsync(NewNotification(1), CancellationToken.None).Bounded();
        (await _notifications.CountUnreadAsync("u1", "acme", CancellationToken.None).Bounded()).ShouldBe(1);
        (await _database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
    }

    [Fact]
    public async Task DisposingTheDatabase_StopsEveryStoreOnIt()
    {
        await InitializeAllAsync();

        await _database.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => _history.GetPositionAsync("a", CancellationToken.None).AsTask().Bounded());
        await Should.ThrowAsync<ObjectDisposedException>(() => _operations.GetAsync("op_1", CancellationToken.None).AsTask().Bounded());
        await Should.ThrowAsync<ObjectDisposedException>(() => _notifications.CountUnreadAsync("u1", "acme", CancellationToken.None).AsTask().Bounded());
        await Should.ThrowAsync<ObjectDisposedException>(() => _database.InitializeAsync(CancellationToken.None).Bounded());
        (await _database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
        (await _history.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    [Fact]
    public async Task Calls_BeforeInitializeAsync_ThrowAClearError()
    {
        var error = await Should.ThrowAsync<InvalidOperationException>(() => _operations.GetAsync("op_1", CancellationToken.None).AsTask().Bounded());

        error.Message.ShouldContain(nameof(SqliteDatabase.InitializeAsync));
        (await _database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
    }
}
