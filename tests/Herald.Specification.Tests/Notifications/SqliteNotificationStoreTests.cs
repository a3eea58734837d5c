using System.Text;
using Herald.Core.Notifications;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Sqlite;

namespace Herald.Specification.Tests.Notifications;

/// <summary>The compliance suite on a fresh file per test, plus what only a durable store promises.</summary>
public sealed class SqliteNotificationStoreTests : NotificationStoreSpecification
{
    private readonly TemporaryDirectory _directory = new();
    private readonly List<SqliteDatabase> _databases = [];

    private string DatabasePath => _directory.File("herald.db");

    protected override INotificationStore CreateStore(TimeProvider time)
    {
        var database = new SqliteDatabase(DatabasePath);
        _databases.Add(database);
        return new SqliteNotificationStore(database, time);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var database in _databases)
        {
            await database.DisposeAsync().Bounded();
        }
        _directory.Dispose();
    }

    private async Task RestartAsync()
    {
        await Store.DisposeAsync().Bounded();
        foreach (var database in _databases)
        {
            await database.DisposeAsync().Bounded();
        }
        var store = CreateStore(Time);
        Replace(store);
        await store.InitializeAsync(CancellationToken.None).Bounded();
    }

    [Fact]
    public async Task NotificationsAndMarks_SurviveReopeningTheFile()
    {
        var own = await AddAsync(user: "u1");
        var org = await AddAsync(org: "o1");
        var dismissed = await AddAsync(org: "o1");
        await MarkReadAsync("u1", "o1", org.Id);
        await DismissAsync("u1", "o1", dismissed.Id);

        await RestartAsync();

        var page = await ListAsync("u1", "o1");
        Ids(page.Items).ShouldBe([org.Id, own.Id]);
        page.Items.Select(i => i.Read).ShouldBe([true, false]);
        page.Unread.ShouldBe(1);
        ShouldBeSameNotification(page.Items[1].Notification, own);
        (await InboxAsync("u2", "o1")).ShouldBe([dismissed.Id, org.Id]);
        (await UnreadAsync("u2", "o1")).ShouldBe(2);
    }

    [Fact]
    public async Task Data_IsStoredAsTheExactBytes()
    {
        var data = Encoding.UTF8.GetBytes("""{"a":"\u00e9 é"}""");
        await Store.AddAsync(new Notification { Id = "n_1", UserId = "u1", Title = "t", Message = "m", Level = "info", Data = data, CreatedAt = Time.GetUtcNow() },
            CancellationToken.None).Bounded();

        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT data FROM notifications;")).ShouldBe(data);
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed()
    {
        await Store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => UnreadAsync("u1", "o1"));
        await Store.DisposeAsync().Bounded();
    }
}
