using System.Net;

namespace Herald.Server.Tests;

/// <summary>Notifications: inboxes persisted, delivered live, unread counts pushed to every tab.</summary>
public sealed class NotificationsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private static readonly string Alice = TestTokens.Hs256("alice", "acme");
    private static readonly string Bob = TestTokens.Hs256("bob", "acme");
    private static readonly string Mallory = TestTokens.Hs256("mallory", "globex");

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(HttpStatusCode Status, JsonElement Body)> Send(object body, string apiKey = TestServer.PublishKey) =>
        _server.SendAsync(HttpMethod.Post, "/api/notifications", body, apiKey: apiKey);

    private Task<(HttpStatusCode Status, JsonElement Body)> Inbox(string token, string query = "") =>
        _server.SendAsync(HttpMethod.Get, "/api/notifications" + query, bearer: token);

    [Fact]
    public async Task Notification_IsDeliveredLive_AndTheUnreadCountReachesEveryTab()
    {
        await using var tab1 = await _server.ConnectUserAsync("alice", "acme");
        await using var tab2 = await _server.ConnectUserAsync("alice", "acme");
        await tab1.SubscribeAsync("user:alice");
        await tab2.SubscribeAsync("user:alice");

        var (status, created) = await Send(new { user = "alice", title = "Backup done", message = "ws_1 backed up", level = "success", link = "/ws/1" });
        status.ShouldBe(HttpStatusCode.Created);
        foreach (var tab in new[] { tab1, tab2 })
        {
            var live = await tab.ReceiveAsync();
            live.Type().ShouldBe("notification");
            live.GetProperty("data").Str("id").ShouldBe(created.Str("id"));
            live.GetProperty("data").Str("level").ShouldBe("success");
            var badge = await tab.ReceiveAsync();
            badge.Type().ShouldBe("notifications.unread");
            badge.GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(1);
        }

        var (readStatus, read) = await _server.SendAsync(HttpMethod.Post, $"/api/notifications/{created.Str("id")}/read", bearer: Alice);
        readStatus.ShouldBe(HttpStatusCode.OK);
        read.GetProperty("unread").GetInt32().ShouldBe(0);
        foreach (var tab in new[] { tab1, tab2 })
        {
            (await tab.ReceiveAsync()).GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(0);
        }
    }

    [Fact]
    public async Task ANewTab_GetsTheCurrentUnreadCountOnSubscribe()
    {
        await using var tab = await _server.ConnectUserAsync("erin", "acme");
        await tab.SubscribeAsync("user:erin");
        await Send(new { user = "erin", title = "one", message = "m", level = "info" });
        await Send(new { user = "erin", title = "two", message = "m", level = "info" });
        await tab.ReceiveUntilAsync(f => f.Type() == "notifications.unread" && f.GetProperty("data").GetProperty("unread").GetInt32() == 2);

        await using var reload = await _server.ConnectUserAsync("erin", "acme");
        var state = (await reload.SubscribeAsync("user:erin")).GetProperty("state").EnumerateArray().Single(p => p.Str("key") == "unread");
        state.GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task OfflineUser_FindsNotificationsLater_NewestFirst_WithPaging()
    {
        for (var i = 1; i <= 5; i++)
        {
            (await Send(new { user = "carol", title = $"n{i}", message = "m", level = "info" })).Status.ShouldBe(HttpStatusCode.Created);
        }
        var carol = TestTokens.Hs256("carol", "acme");
        var (status, page1) = await Inbox(carol, "?limit=2");
        status.ShouldBe(HttpStatusCode.OK);
        page1.GetProperty("unread").GetInt32().ShouldBe(5);
        page1.GetProperty("items").EnumerateArray().Select(i => i.Str("title")).ShouldBe(["n5", "n4"]);
        var (_, page2) = await Inbox(carol, $"?limit=2&before={page1.Str("nextCursor")}");
        page2.GetProperty("items").EnumerateArray().Select(i => i.Str("title")).ShouldBe(["n3", "n2"]);
        var (_, page3) = await Inbox(carol, $"?limit=2&before={page2.Str("nextCursor")}");
        page3.GetProperty("items").EnumerateArray().Select(i => i.Str("title")).ShouldBe(["n1"]);
        page3.GetProperty("nextCursor").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task ReadAll_Dismiss_AndUnreadOnly()
    {
        var dave = TestTokens.Hs256("dave", "acme");
        var (_, a) = await Send(new { user = "dave", title = "a", message = "m", level = "warning" });
        await Send(new { user = "dave", title = "b", message = "m", level = "error" });
        (await _server.SendAsync(HttpMethod.Delete, $"/api/notifications/{a.Str("id")}", bearer: dave)).Body.GetProperty("unread").GetInt32().ShouldBe(1);
        (await Inbox(dave)).Body.GetProperty("items").EnumerateArray().Select(i => i.Str("title")).ShouldBe(["b"]);
        (await _server.SendAsync(HttpMethod.Post, "/api/notifications/read-all", bearer: dave)).Body.GetProperty("unread").GetInt32().ShouldBe(0);
        var (_, inbox) = await Inbox(dave);
        inbox.GetProperty("items")[0].GetProperty("read").GetBoolean().ShouldBeTrue();
        (await Inbox(dave, "?unread=true")).Body.GetProperty("items").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task OrganisationNotification_ReachesMembers_AndReadIsPerUser()
    {
        await using var bobTab = await _server.ConnectUserAsync("bob", "acme");
        await bobTab.SubscribeAsync("org:acme");
        await bobTab.SubscribeAsync("user:bob");
        var (_, created) = await Send(new { org = "acme", title = "Maintenance", message = "22:00 UTC", level = "info" });
        (await bobTab.ReceiveUntilAsync(f => f.Type() == "notification")).GetProperty("data").Str("org").ShouldBe("acme");
        (await bobTab.ReceiveUntilAsync(f => f.Type() == "notifications.unread")).GetProperty("data").GetProperty("unread").GetInt32().ShouldBeGreaterThanOrEqualTo(1);

        (await _server.SendAsync(HttpMethod.Post, $"/api/notifications/{created.Str("id")}/read", bearer: Alice)).Status.ShouldBe(HttpStatusCode.OK);
        var (_, bobInbox) = await Inbox(Bob);
        bobInbox.GetProperty("items").EnumerateArray().Single(i => i.Str("id") == created.Str("id")).GetProperty("read").GetBoolean().ShouldBeFalse();
        (await Inbox(Mallory)).Body.GetProperty("items").EnumerateArray().ShouldNotContain(i => i.Str("id") == created.Str("id"));
    }

    [Fact]
    public async Task NobodyCanReadOrTouchSomeoneElsesNotification()
    {
        var (_, mine) = await Send(new { user = "alice", title = "private", message = "m", level = "info" });
        (await _server.SendAsync(HttpMethod.Post, $"/api/notifications/{mine.Str("id")}/read", bearer: Bob)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await _server.SendAsync(HttpMethod.Delete, $"/api/notifications/{mine.Str("id")}", bearer: Mallory)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Inbox(Bob)).Body.GetProperty("items").EnumerateArray().ShouldNotContain(i => i.Str("id") == mine.Str("id"));
        await using var spy = await _server.ConnectUserAsync("bob", "acme");
        (await spy.SubscribeAsync("user:alice")).Code().ShouldBe(103);
    }

    [Theory]
    [InlineData("{\"title\":\"t\",\"message\":\"m\"}")]
    [InlineData("{\"user\":\"a\",\"org\":\"o\",\"title\":\"t\",\"message\":\"m\"}")]
    [InlineData("{\"user\":\"a\",\"message\":\"m\"}")]
    [InlineData("{\"user\":\"a\",\"title\":\"t\"}")]
    [InlineData("{\"user\":\"a\",\"title\":\"t\",\"message\":\"m\",\"level\":\"panic\"}")]
    [InlineData("{\"user\":\"a b\",\"title\":\"t\",\"message\":\"m\"}")]
    [InlineData("{\"user\":5,\"title\":\"t\",\"message\":\"m\"}")]
    [InlineData("{\"user\":")]
    public async Task MalformedNotifications_Are400(string body)
    {
        var (status, problem) = await _server.SendAsync(HttpMethod.Post, "/api/notifications", body, apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.Str("detail").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Credentials_AreChecked()
    {
        (await _server.SendAsync(HttpMethod.Post, "/api/notifications", new { user = "a", title = "t", message = "m" })).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await _server.SendAsync(HttpMethod.Post, "/api/notifications", new { user = "a", title = "t", message = "m" }, bearer: Alice)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Send(new { user = "a", title = "t", message = "m" }, apiKey: TestServer.OperationsKey)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _server.SendAsync(HttpMethod.Get, "/api/notifications")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await _server.SendAsync(HttpMethod.Get, "/api/notifications", apiKey: TestServer.AdminKey)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await Inbox(Alice, "?limit=0")).Status.ShouldBe(HttpStatusCode.BadRequest);
    }
}
