using System.Net;
using System.Net.WebSockets;

namespace Herald.Server.Tests;

/// <summary>Presence: who is in a channel, join and leave, clean-up of dead connections.</summary>
public sealed class PresenceTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Heartbeat:IntervalSeconds"] = "0.3",
        ["Herald:Heartbeat:TimeoutSeconds"] = "0.5",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A client that answers the (short) heartbeat, so that only the peers meant to die do.</summary>
    private async Task<WsClient> Connect(string user, string org)
    {
        var client = await _server.ConnectUserAsync(user, org);
        client.AutoPong = true;
        return client;
    }

    private static async Task Join(WsClient client, string channel, object info) =>
        (await client.RequestAsync("subscribe", channel, new { info })).Type().ShouldBe("subscribed");

    [Fact]
    public async Task Presence_ListsUsersWithConnectionCountsAndInfo()
    {
        await using var alice1 = await Connect("alice", "acme");
        await using var alice2 = await Connect("alice", "acme");
        await using var bob = await Connect("bob", "acme");
        await Join(alice1, "workspace:acme/ws_1", new { viewing = "overview" });
        await Join(alice2, "workspace:acme/ws_1", new { viewing = "logs" });
        await Join(bob, "workspace:acme/ws_1", new { viewing = "settings" });

        var answer = await bob.RequestAsync("presence", "workspace:acme/ws_1");
        answer.Type().ShouldBe("presence");
        var users = answer.GetProperty("data").GetProperty("users").EnumerateArray().ToList();
        users.Select(u => (u.Str("user"), u.GetProperty("connections").GetInt32())).ShouldBe([("alice", 2), ("bob", 1)]);
        users[0].GetProperty("info").Str("viewing").ShouldBe("logs");

        var (status, body) = await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:acme/ws_1", bearer: TestTokens.Hs256("carol", "acme"));
        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("users").GetArrayLength().ShouldBe(2);
        (await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:acme/ws_1", apiKey: TestServer.PublishKey)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task JoinAndLeave_ArePublishedWhenAUsersFirstConnectionArrivesAndLastLeaves()
    {
        await using var alice = await Connect("alice", "acme");
        await Join(alice, "workspace:acme/ws_2", new { viewing = "a" });
        (await alice.ReceiveAsync()).Type().ShouldBe("presence.join");

        var bob = await Connect("bob", "acme");
        await Join(bob, "workspace:acme/ws_2", new { viewing = "b" });
        var joined = await alice.ReceiveAsync();
        joined.Type().ShouldBe("presence.join");
        joined.GetProperty("data").Str("user").ShouldBe("bob");
        joined.GetProperty("data").GetProperty("info").Str("viewing").ShouldBe("b");
        joined.TryGetProperty("offset", out _).ShouldBeFalse();

        await bob.DisposeAsync();
        var left = await alice.ReceiveAsync();
        left.Type().ShouldBe("presence.leave");
        left.GetProperty("data").Str("user").ShouldBe("bob");
        var users = (await alice.RequestAsync("presence", "workspace:acme/ws_2")).GetProperty("data").GetProperty("users");
        users.EnumerateArray().Select(u => u.Str("user")).ShouldBe(["alice"]);
    }

    [Fact]
    public async Task ConnectionThatDiesWithoutClosing_IsCleanedUp()
    {
        await using var alice = await Connect("alice", "acme");
        await Join(alice, "workspace:acme/ws_3", new { });
        await alice.ReceiveUntilAsync(f => f.Type() == "presence.join");

        // A peer that stops answering the heartbeat (a frozen laptop) and one whose socket just vanishes.
        var frozen = new ClientWebSocket();
        frozen.Options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Hs256("frozen", "acme"));
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await frozen.ConnectAsync(_server.WebSocketUri(), cts.Token);
            await frozen.SendAsync(System.Text.Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"id\":\"1\",\"channel\":\"workspace:acme/ws_3\"}"), WebSocketMessageType.Text, true, cts.Token);
        }
        var vanishing = await Connect("vanishing", "acme");
        await Join(vanishing, "workspace:acme/ws_3", new { });
        var joined = new HashSet<string>();
        while (joined.Count < 2)
        {
            joined.Add((await alice.ReceiveUntilAsync(f => f.Type() == "presence.join")).GetProperty("data").Str("user"));
        }
        vanishing.Socket.Abort();

        var left = new HashSet<string>();
        while (left.Count < 2)
        {
            left.Add((await alice.ReceiveUntilAsync(f => f.Type() == "presence.leave")).GetProperty("data").Str("user"));
        }
        left.ShouldBe(["frozen", "vanishing"], ignoreOrder: true);
        frozen.Dispose();
        await vanishing.DisposeAsync();
    }

    [Fact]
    public async Task PresenceIsScopedAndOnlyWhereEnabled()
    {
        await using var mallory = await Connect("mallory", "globex");
        (await mallory.RequestAsync("presence", "workspace:acme/ws_1")).Code().ShouldBe(103);
        (await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:acme/ws_1", bearer: TestTokens.Hs256("mallory", "globex"))).Status.ShouldBe(HttpStatusCode.Forbidden);
        await using var alice = await Connect("alice", "acme");
        (await alice.RequestAsync("presence", "org:acme")).Code().ShouldBe(108);
        (await _server.SendAsync(HttpMethod.Get, "/api/presence", bearer: TestTokens.Hs256("alice", "acme"))).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:acme/ws_1")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        var tooBig = new { blob = new string('x', 2000) };
        (await alice.RequestAsync("subscribe", "workspace:acme/ws_9", new { info = tooBig })).Code().ShouldBe(107);
        (await alice.RequestAsync("subscribe", "workspace:acme/ws_9", new { info = "not an object" })).Code().ShouldBe(107);
    }
}
