using System.Text;
using Herald.Core.Notifications;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Notifications;

/// <summary>
/// The compliance suite on a fresh database per test, plus what only a store shared by several
/// nodes promises. A second <see cref="PostgresDatabase"/> on the same database is a second node.
/// </summary>
public sealed class PostgresNotificationStoreTests : NotificationStoreSpecification
{
    private FreshPostgresDatabase? _database;

    private FreshPostgresDatabase Database => _database ?? throw new InvalidOperationException("no database yet");

    private string ConnectionString => Database.ConnectionString;

    protected override INotificationStore CreateStore(TimeProvider time) => new PostgresNotificationStore(NewDatabase(), time);

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

    private async Task<INotificationStore> SecondNodeAsync()
    {
        var store = CreateStore(Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();
        return store;
    }

    [Fact]
    public async Task NotificationsAndMarks_SurviveANewDatabaseInstance()
    {
        var own = await AddAsync(user: "u1");
        var org = await AddAsync(org: "o1");
        var dismissed = await AddAsync(org: "o1");
        await MarkReadAsync("u1", "o1", org.Id);
        await DismissAsync("u1", "o1", dismissed.Id);
        await Store.DisposeAsync().Bounded();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        Replace(await SecondNodeAsync());

        var page = await ListAsync("u1", "o1");
        Ids(page.Items).ShouldBe([org.Id, own.Id]);
        page.Items.Select(i => i.Read).ShouldBe([true, false]);
        page.Unread.ShouldBe(1);
        ShouldBeSameNotification(page.Items[1].Notification, own);
        (await InboxAsync("u2", "o1")).ShouldBe([dismissed.Id, org.Id]);
        (await UnreadAsync("u2", "o1")).ShouldBe(2);
    }

    [Fact]
    public async Task MarksMadeOnOneNode_AreSeenOnAnother()
    {
        var second = await SecondNodeAsync();
        var org = await AddAsync(org: "o1");
        var other = await AddAsync(org: "o1");

        (await second.MarkReadAsync("u1", "o1", org.Id, CancellationToken.None).Bounded()).ShouldBeTrue();
        (await second.DismissAsync("u2", "o1", other.Id, CancellationToken.None).Bounded()).ShouldBeTrue();

        (await ListAsync("u1", "o1")).Items.Select(i => (i.Notification.Id, i.Read)).ShouldBe([(other.Id, false), (org.Id, true)]);
        (await InboxAsync("u2", "o1")).ShouldBe([org.Id]);
        (await DismissAsync("u2", "o1", other.Id)).ShouldBeFalse();
    }

    [Fact]
    public async Task MarkAllRead_ConcurrentlyOnTwoNodes_CountsEachNotificationOnce()
    {
        var second = await SecondNodeAsync();
        for (var i = 0; i < 20; i++)
        {
            await AddAsync(org: "o1");
        }

        var counts = await Task.WhenAll(
            Task.Run(() => Store.MarkAllReadAsync("u1", "o1", CancellationToken.None).AsTask()),
            Task.Run(() => second.MarkAllReadAsync("u1", "o1", CancellationToken.None).AsTask())).Bounded();

        counts.Sum().ShouldBe(20);
        (await UnreadAsync("u1", "o1")).ShouldBe(0);
        (await UnreadAsync("u2", "o1")).ShouldBe(20);
    }

    [Fact]
    public async Task Data_IsStoredAsTheExactBytes()
    {
        var data = Encoding.UTF8.GetBytes("""{"a":"\u00e9 é"}""");
        await Store.AddAsync(new Notification { Id = "n_1", UserId = "u1", Title = "t", Message = "m", Level = "info", Data = data.AsMemory(), CreatedAt = Time.GetUtcNow() },
            CancellationToken.None).Bounded();
        await Store.AddAsync(new Notification { Id = "n_2", UserId = "u1", Title = "t", Message = "m", Level = "info", CreatedAt = Time.GetUtcNow() },
            CancellationToken.None).Bounded();

        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT data FROM herald_notifications WHERE id = 'n_1';")).ShouldBe(data);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT data FROM herald_notifications WHERE id = 'n_2';")).ShouldBe(DBNull.Value);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT created_at FROM herald_notifications WHERE id = 'n_1';"))
            .ShouldBe((Time.GetUtcNow() - DateTimeOffset.UnixEpoch).Ticks);
    }

    [Fact]
    public async Task RemoveOlderThan_TakesTheMarksWithItInTheSchema()
    {
        var n = await AddAsync(org: "o1");
        await MarkReadAsync("u1", "o1", n.Id);
        await DismissAsync("u2", "o1", n.Id);
        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_notification_marks;")).ShouldBe(2L);

        (await RemoveOlderThanAsync(Time.GetUtcNow().AddTicks(1))).ShouldBe(1);

        (await PostgresSql.ScalarAsync(ConnectionString, "SELECT count(*) FROM herald_notification_marks;")).ShouldBe(0L);
    }

    [Fact]
    public async Task List_OrdersIdsByteByByte_WhateverTheDatabaseCollation()
    {
        // Ordinal order: 'A' (0x41) < '-' after 'a' (0x2D) < '_' after 'a' (0x5F) < 'b'; a linguistic collation disagrees.
        foreach (var id in new[] { "n_a_1", "n_b", "n_A_3", "n_a-2" })
        {
            await Store.AddAsync(new Notification { Id = id, UserId = "u1", Title = "t", Message = "m", Level = "info", CreatedAt = Time.GetUtcNow() },
                CancellationToken.None).Bounded();
        }

        var first = await ListAsync("u1", "o1", limit: 2);
        var second = await ListAsync("u1", "o1", limit: 2, before: first.NextCursor);

        Ids(first.Items).ShouldBe(["n_b", "n_a_1"]);
        Ids(second.Items).ShouldBe(["n_a-2", "n_A_3"]);
        second.NextCursor.ShouldBeNull();
    }

    [Fact]
    public async Task List_WithALimitOfZero_AnswersTheUnreadCountOnly()
    {
        await AddAsync(user: "u1");
        await AddAsync(org: "o1");

        var page = await ListAsync("u1", "o1", limit: 0);

        page.Items.ShouldBeEmpty();
        page.Unread.ShouldBe(2);
        page.NextCursor.ShouldBeNull();
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed_AndLeaveTheDatabaseOpen()
    {
        var database = NewDatabase();
        var store = new PostgresNotificationStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        await store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => store.CountUnreadAsync("u1", "o1", CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.MarkReadAsync("u1", "o1", "n_1", CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.ListAsync("u1", "o1", 10, null, false, CancellationToken.None).AsTask());
        await Should.ThrowAsync<ObjectDisposedException>(() => store.InitializeAsync(CancellationToken.None));
        await store.DisposeAsync().Bounded();
        (await database.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
    }
}
