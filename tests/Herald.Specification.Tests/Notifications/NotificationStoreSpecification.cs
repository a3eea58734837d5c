using System.Text;
using Herald.Core.Notifications;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Notifications;

/// <summary>
/// The <see cref="INotificationStore"/> contract: every store inherits these tests. Each test gets
/// a fresh, initialized store; times come from <see cref="Time"/>, a manual clock. Ids are given in
/// creation order, as <see cref="Notification.NewId"/> gives them.
/// </summary>
/// <remarks>The cast: users u1 and u2 are members of org o1; u3 is a member of org o2.</remarks>
public abstract class NotificationStoreSpecification : IAsyncLifetime
{
    private INotificationStore? _store;
    private int _sequence;

    protected FakeTimeProvider Time { get; } = new();

    protected INotificationStore Store => _store ?? throw new InvalidOperationException("the store is not initialized");

    /// <summary>A new store over this test's storage; called again to model a restart where storage survives one.</summary>
    protected abstract INotificationStore CreateStore(TimeProvider time);

    public virtual async Task InitializeAsync()
    {
        _store = CreateStore(Time);
        await _store.InitializeAsync(CancellationToken.None).Bounded();
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().Bounded();
        }
    }

    /// <summary>Replaces the current store by <paramref name="store"/>, which the test then owns.</summary>
    protected void Replace(INotificationStore store) => _store = store;

    /// <summary>Adds a notification for <paramref name="user"/> or, when null, for <paramref name="org"/>, a second after the previous one.</summary>
    protected async Task<Notification> AddAsync(string? user = null, string? org = null, string title = "Title")
    {
        Time.Advance(TimeSpan.FromSeconds(1));
        var notification = new Notification
        {
            Id = $"n_{Interlocked.Increment(ref _sequence):D6}",
            UserId = user,
            OrgId = user is null ? org ?? throw new ArgumentException("a user or an org") : null,
            Title = title,
            Message = "Message",
            Level = "info",
            CreatedAt = Time.GetUtcNow(),
        };
        await Store.AddAsync(notification, CancellationToken.None).Bounded();
        return notification;
    }

    protected Task<InboxPage> ListAsync(string user, string org, int limit = 100, string? before = null, bool unreadOnly = false) =>
        Store.ListAsync(user, org, limit, before, unreadOnly, CancellationToken.None).Bounded();

    protected Task<int> UnreadAsync(string user, string org) => Store.CountUnreadAsync(user, org, CancellationToken.None).Bounded();

    protected Task<bool> MarkReadAsync(string user, string org, string id) => Store.MarkReadAsync(user, org, id, CancellationToken.None).Bounded();

    protected Task<int> MarkAllReadAsync(string user, string org) => Store.MarkAllReadAsync(user, org, CancellationToken.None).Bounded();

    protected Task<bool> DismissAsync(string user, string org, string id) => Store.DismissAsync(user, org, id, CancellationToken.None).Bounded();

    protected Task<int> RemoveOlderThanAsync(DateTimeOffset createdBefore) => Store.RemoveOlderThanAsync(createdBefore, CancellationToken.None).Bounded();

    protected async Task<string[]> InboxAsync(string user, string org, bool unreadOnly = false) =>
        Ids((await ListAsync(user, org, unreadOnly: unreadOnly)).Items);

    protected static string[] Ids(IEnumerable<InboxItem> items) => items.Select(i => i.Notification.Id).ToArray();

    protected static void ShouldBeSameNotification(Notification actual, Notification expected)
    {
        actual.ShouldSatisfyAllConditions(
            () => actual.Id.ShouldBe(expected.Id),
            () => actual.UserId.ShouldBe(expected.UserId),
            () => actual.OrgId.ShouldBe(expected.OrgId),
            () => actual.Title.ShouldBe(expected.Title),
            () => actual.Message.ShouldBe(expected.Message),
            () => actual.Level.ShouldBe(expected.Level),
            () => actual.Link.ShouldBe(expected.Link),
            () => actual.Data.ToArray().ShouldBe(expected.Data.ToArray()),
            () => actual.CreatedAt.ShouldBe(expected.CreatedAt));
    }

    // Round trip and visibility

    [Fact]
    public async Task Add_ThenList_RoundTripsEveryFieldExactly()
    {
        Time.Advance(TimeSpan.FromTicks(4_321_987));
        var full = new Notification
        {
            Id = "n_full",
            UserId = "u1",
            Title = "Sauvegarde terminée ✓",
            Message = "L'espace « prod » est sauvegardé 😀",
            Level = "success",
            Link = "/workspaces/prod/backups/7",
            Data = Encoding.UTF8.GetBytes("""{"backup":7,"note":"\u00e9 é \"q\""}"""),
            CreatedAt = Time.GetUtcNow(),
        };
        var bare = new Notification { Id = "n_bare", OrgId = "o1", Title = "t", Message = "m", Level = "warning", CreatedAt = Time.GetUtcNow() };
        await Store.AddAsync(full, CancellationToken.None).Bounded();
        await Store.AddAsync(bare, CancellationToken.None).Bounded();

        var items = (await ListAsync("u1", "o1")).Items;

        items.Count.ShouldBe(2);
        ShouldBeSameNotification(items.Single(i => i.Notification.Id == "n_full").Notification, full);
        var storedBare = items.Single(i => i.Notification.Id == "n_bare").Notification;
        ShouldBeSameNotification(storedBare, bare);
        storedBare.Data.IsEmpty.ShouldBeTrue();
        items.ShouldAllBe(i => !i.Read);
    }

    [Fact]
    public async Task List_ShowsTheUsersOwnAndTheirOrganisations_NotOthers()
    {
        var forU1 = await AddAsync(user: "u1");
        var forU2 = await AddAsync(user: "u2");
        var forU3 = await AddAsync(user: "u3");
        var forO1 = await AddAsync(org: "o1");
        var forO2 = await AddAsync(org: "o2");

        (await InboxAsync("u1", "o1")).ShouldBe([forO1.Id, forU1.Id]);
        (await InboxAsync("u2", "o1")).ShouldBe([forO1.Id, forU2.Id]);
        (await InboxAsync("u3", "o2")).ShouldBe([forO2.Id, forU3.Id]);
        (await InboxAsync("u4", "o3")).ShouldBeEmpty();
        (await UnreadAsync("u1", "o1")).ShouldBe(2);
        (await UnreadAsync("u4", "o3")).ShouldBe(0);
    }

    [Fact]
    public async Task List_IsNewestFirstAndPagesBackWithTheCursor()
    {
        var n = new List<Notification>();
        for (var i = 0; i < 5; i++)
        {
            n.Add(i % 2 == 0 ? await AddAsync(user: "u1") : await AddAsync(org: "o1"));
        }

        var first = await ListAsync("u1", "o1", limit: 2);
        var second = await ListAsync("u1", "o1", limit: 2, before: first.NextCursor);
        var third = await ListAsync("u1", "o1", limit: 2, before: second.NextCursor);

        Ids(first.Items).ShouldBe([n[4].Id, n[3].Id]);
        first.NextCursor.ShouldBe(n[3].Id);
        Ids(second.Items).ShouldBe([n[2].Id, n[1].Id]);
        second.NextCursor.ShouldBe(n[1].Id);
        Ids(third.Items).ShouldBe([n[0].Id]);
        third.NextCursor.ShouldBeNull();
        new[] { first, second, third }.ShouldAllBe(p => p.Unread == 5);
    }

    [Fact]
    public async Task List_WhenThePageEndsExactlyAtTheLastItem_HasNoCursor()
    {
        var a = await AddAsync(user: "u1");
        var b = await AddAsync(user: "u1");

        var page = await ListAsync("u1", "o1", limit: 2);

        Ids(page.Items).ShouldBe([b.Id, a.Id]);
        page.NextCursor.ShouldBeNull();
        (await ListAsync("u1", "o1", limit: 10, before: a.Id)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task List_BeforeAnIdThatIsNotInTheInbox_StillPagesById()
    {
        var a = await AddAsync(user: "u1");
        var other = await AddAsync(user: "u2");
        var b = await AddAsync(user: "u1");

        Ids((await ListAsync("u1", "o1", before: other.Id)).Items).ShouldBe([a.Id]);
        Ids((await ListAsync("u1", "o1", before: "n_999999")).Items).ShouldBe([b.Id, a.Id]);
    }

    // Read marks and unread counts

    [Fact]
    public async Task MarkRead_OwnOrOrganisationNotification_MarksItForThatUserOnly()
    {
        var own = await AddAsync(user: "u1");
        var org = await AddAsync(org: "o1");
        await AddAsync(user: "u1");

        (await MarkReadAsync("u1", "o1", own.Id)).ShouldBeTrue();
        (await MarkReadAsync("u1", "o1", org.Id)).ShouldBeTrue();

        var page = await ListAsync("u1", "o1");
        page.Unread.ShouldBe(1);
        page.Items.Where(i => i.Read).Select(i => i.Notification.Id).ShouldBe([org.Id, own.Id]);
        (await UnreadAsync("u1", "o1")).ShouldBe(1);
        (await UnreadAsync("u2", "o1")).ShouldBe(1);
        (await ListAsync("u2", "o1")).Items.Single().ShouldSatisfyAllConditions(
            i => i.Notification.Id.ShouldBe(org.Id),
            i => i.Read.ShouldBeFalse());
    }

    [Fact]
    public async Task MarkRead_Twice_IsHarmless()
    {
        var own = await AddAsync(user: "u1");
        await MarkReadAsync("u1", "o1", own.Id);

        (await MarkReadAsync("u1", "o1", own.Id)).ShouldBeTrue();

        (await UnreadAsync("u1", "o1")).ShouldBe(0);
    }

    [Fact]
    public async Task MarkRead_OfSomethingTheUserCannotSee_ReturnsFalseAndChangesNothing()
    {
        var othersOwn = await AddAsync(user: "u2");
        var otherOrgs = await AddAsync(org: "o2");

        (await MarkReadAsync("u1", "o1", othersOwn.Id)).ShouldBeFalse();
        (await MarkReadAsync("u1", "o1", otherOrgs.Id)).ShouldBeFalse();
        (await MarkReadAsync("u1", "o1", "n_unknown")).ShouldBeFalse();

        (await UnreadAsync("u2", "o1")).ShouldBe(1);
        (await UnreadAsync("u3", "o2")).ShouldBe(1);
        // Had the first call marked anything for u1, it would show once u1 could see it.
        (await ListAsync("u1", "o2")).Items.Single().Read.ShouldBeFalse();
    }

    [Fact]
    public async Task MarkAllRead_MarksEveryVisibleUnreadOneAndCountsOnlyChanges()
    {
        var own = await AddAsync(user: "u1");
        await AddAsync(org: "o1");
        await AddAsync(org: "o1");
        await AddAsync(user: "u2");
        await AddAsync(org: "o2");
        await MarkReadAsync("u1", "o1", own.Id);

        (await MarkAllReadAsync("u1", "o1")).ShouldBe(2);
        (await MarkAllReadAsync("u1", "o1")).ShouldBe(0);

        (await UnreadAsync("u1", "o1")).ShouldBe(0);
        (await ListAsync("u1", "o1")).Items.ShouldAllBe(i => i.Read);
        (await UnreadAsync("u2", "o1")).ShouldBe(3);
        (await UnreadAsync("u3", "o2")).ShouldBe(1);
    }

    [Fact]
    public async Task List_UnreadOnly_SkipsReadOnesAndPagesOverTheRest()
    {
        var n = new List<Notification>();
        for (var i = 0; i < 6; i++)
        {
            n.Add(await AddAsync(user: "u1"));
        }
        await MarkReadAsync("u1", "o1", n[4].Id);
        await MarkReadAsync("u1", "o1", n[1].Id);

        var first = await ListAsync("u1", "o1", limit: 2, unreadOnly: true);
        var second = await ListAsync("u1", "o1", limit: 2, before: first.NextCursor, unreadOnly: true);

        Ids(first.Items).ShouldBe([n[5].Id, n[3].Id]);
        first.NextCursor.ShouldBe(n[3].Id);
        Ids(second.Items).ShouldBe([n[2].Id, n[0].Id]);
        second.NextCursor.ShouldBeNull();
        first.Unread.ShouldBe(4);
        second.Items.ShouldAllBe(i => !i.Read);
    }

    [Fact]
    public async Task OrganisationNotification_ReadByOneMember_StaysUnreadForAnother()
    {
        var org = await AddAsync(org: "o1");

        await MarkReadAsync("u1", "o1", org.Id);

        (await ListAsync("u1", "o1")).Items.Single().Read.ShouldBeTrue();
        (await ListAsync("u2", "o1")).Items.Single().Read.ShouldBeFalse();
        (await InboxAsync("u2", "o1", unreadOnly: true)).ShouldBe([org.Id]);
        (await UnreadAsync("u2", "o1")).ShouldBe(1);
    }

    // Dismissal

    [Fact]
    public async Task Dismiss_HidesItFromTheUserAndFromTheirUnreadCount()
    {
        var own = await AddAsync(user: "u1");
        var org = await AddAsync(org: "o1");

        (await DismissAsync("u1", "o1", org.Id)).ShouldBeTrue();

        (await InboxAsync("u1", "o1")).ShouldBe([own.Id]);
        (await UnreadAsync("u1", "o1")).ShouldBe(1);
        (await InboxAsync("u2", "o1")).ShouldBe([org.Id]);
        (await UnreadAsync("u2", "o1")).ShouldBe(1);
    }

    [Fact]
    public async Task Dismiss_OfAReadNotification_HidesIt()
    {
        var own = await AddAsync(user: "u1");
        await MarkReadAsync("u1", "o1", own.Id);

        (await DismissAsync("u1", "o1", own.Id)).ShouldBeTrue();

        (await ListAsync("u1", "o1")).ShouldSatisfyAllConditions(
            p => p.Items.ShouldBeEmpty(),
            p => p.Unread.ShouldBe(0),
            p => p.NextCursor.ShouldBeNull());
    }

    [Fact]
    public async Task Dismissed_CannotBeMarkedOrDismissedAgain_AndIsLeftOutOfMarkAll()
    {
        var own = await AddAsync(user: "u1");
        await DismissAsync("u1", "o1", own.Id);

        (await DismissAsync("u1", "o1", own.Id)).ShouldBeFalse();
        (await MarkReadAsync("u1", "o1", own.Id)).ShouldBeFalse();
        (await MarkAllReadAsync("u1", "o1")).ShouldBe(0);
        (await ListAsync("u1", "o1", unreadOnly: true)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task Dismiss_OfSomethingTheUserCannotSee_ReturnsFalseAndChangesNothing()
    {
        var othersOwn = await AddAsync(user: "u2");
        var otherOrgs = await AddAsync(org: "o2");

        (await DismissAsync("u1", "o1", othersOwn.Id)).ShouldBeFalse();
        (await DismissAsync("u1", "o1", otherOrgs.Id)).ShouldBeFalse();
        (await DismissAsync("u1", "o1", "n_unknown")).ShouldBeFalse();

        (await InboxAsync("u2", "o1")).ShouldBe([othersOwn.Id]);
        (await InboxAsync("u1", "o2")).ShouldBe([otherOrgs.Id]);
    }

    // Retention

    [Fact]
    public async Task RemoveOlderThan_RemovesOldNotificationsWithTheirMarks()
    {
        var oldOwn = await AddAsync(user: "u1");
        var oldOrg = await AddAsync(org: "o1");
        await MarkReadAsync("u1", "o1", oldOwn.Id);
        await DismissAsync("u2", "o1", oldOrg.Id);
        var cutoff = Time.GetUtcNow().AddTicks(1);
        var recent = await AddAsync(org: "o1");

        (await RemoveOlderThanAsync(cutoff)).ShouldBe(2);
        (await RemoveOlderThanAsync(cutoff)).ShouldBe(0);

        (await InboxAsync("u1", "o1")).ShouldBe([recent.Id]);
        (await InboxAsync("u2", "o1")).ShouldBe([recent.Id]);
        (await UnreadAsync("u1", "o1")).ShouldBe(1);
        // The marks went with them: the same ids again are unread and visible.
        await Store.AddAsync(oldOwn, CancellationToken.None).Bounded();
        await Store.AddAsync(oldOrg, CancellationToken.None).Bounded();
        (await ListAsync("u1", "o1")).Items.ShouldAllBe(i => !i.Read);
        (await InboxAsync("u2", "o1")).ShouldBe([recent.Id, oldOrg.Id]);
    }

    [Fact]
    public async Task RemoveOlderThan_AtExactlyTheCutoff_KeepsIt()
    {
        var n = await AddAsync(user: "u1");

        (await RemoveOlderThanAsync(n.CreatedAt)).ShouldBe(0);

        (await InboxAsync("u1", "o1")).ShouldBe([n.Id]);
    }
}
