using System.Net;
using System.Net.Http.Json;
using Herald.Testing;

namespace Herald.Server.Tests;

/// <summary>
/// What the nodes of a PostgreSQL cluster share besides publications, between standalone server
/// processes: presence on every node and its clean-up after a node is killed, disconnects, cancels,
/// stats. Heartbeats are fast here (every 0.5 s, dead after 2 s) so that a killed node's leave
/// arrives well within the receive timeout.
/// </summary>
public sealed class ClusterStateTests
{
    private const string Workspace = "workspace:acme/ws_1";

    private static readonly Dictionary<string, string> FastHeartbeats = new()
    {
        ["Herald__Cluster__HeartbeatIntervalSeconds"] = "0.5",
        ["Herald__Cluster__NodeTimeoutSeconds"] = "2",
    };

    private static async Task<JsonElement> GetAsync(ClusterNode node, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await node.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(ClusterNode node, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await node.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string PresenceEvent(JsonElement frame) => $"{frame.Type()} {frame.GetProperty("data").Str("user")}";

    [Fact]
    public async Task Presence_IsSharedByTheNodes_AndAKilledNodesUsersLeave()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await using var survivor = await ClusterNode.StartAsync(database, "a", FastHeartbeats);
        var doomed = await ClusterNode.StartAsync(database, "b", FastHeartbeats);
        try
        {
            await using var watcher = await survivor.ConnectAsync("u_9");
            (await watcher.SubscribeAsync(Workspace)).Type().ShouldBe("subscribed");
            PresenceEvent(await watcher.ReceiveAsync()).ShouldBe("presence.join u_9");
            await using var visitor = await doomed.ConnectAsync("u_1");
            (await visitor.SubscribeAsync(Workspace)).Type().ShouldBe("subscribed");
            PresenceEvent(await watcher.ReceiveUntilAsync(f => f.Type() == "presence.join")).ShouldBe("presence.join u_1");

            var seenByB = await GetAsync(doomed, $"/api/presence?channel={Workspace}");
            seenByB.GetProperty("users").EnumerateArray().Select(u => u.Str("user")).ShouldBe(["u_1", "u_9"]);
            await TestServer.EventuallyAsync(async () => (await GetAsync(survivor, "/api/stats")).GetProperty("totals").GetProperty("nodes").GetInt32() == 2, "both nodes in the stats");
            var stats = await GetAsync(survivor, "/api/stats");
            stats.GetProperty("nodes").EnumerateArray().Select(n => n.Str("node")).ShouldBe(["a", "b"]);

            await doomed.Process.KillHardAsync();

            PresenceEvent(await watcher.ReceiveUntilAsync(f => f.Type() == "presence.leave")).ShouldBe("presence.leave u_1");
            (await GetAsync(survivor, $"/api/presence?channel={Workspace}")).GetProperty("users").EnumerateArray().Select(u => u.Str("user")).ShouldBe(["u_9"]);
            (await GetAsync(survivor, "/api/stats")).GetProperty("nodes").EnumerateArray().Select(n => n.Str("node")).ShouldBe(["a"]);
        }
        finally
        {
            await doomed.DisposeAsync();
        }
    }

    [Fact]
    public async Task DisconnectAndCancel_AskedOnOneNode_ActOnTheOther()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await using var a = await ClusterNode.StartAsync(database, "a");
        await using var b = await ClusterNode.StartAsync(database, "b");
        await using var onA = await a.ConnectAsync("u_1");

        var (status, answer) = await PostAsync(b, "/api/users/u_1/disconnect");

        status.ShouldBe(HttpStatusCode.OK);
        answer.GetProperty("disconnected").GetInt32().ShouldBe(0);
        answer.Str("node").ShouldBe("b");
        (await onA.WaitForCloseAsync()).Status.ShouldBe((System.Net.WebSockets.WebSocketCloseStatus)3504);

        // demo.sleep runs in-process on the node that created the operation: a.
        var (created, operation) = await PostAsync(a, "/api/operations", new { type = "demo.sleep", resource = "service:acme/s1", parameters = new { seconds = 600, steps = 1 } });
        created.ShouldBe(HttpStatusCode.Accepted);
        var id = operation.Str("id");
        await TestServer.EventuallyAsync(async () => (await GetAsync(b, $"/api/operations/{id}")).Str("status") == "running", "the handler to start on a");

        (await PostAsync(b, $"/api/operations/{id}/cancel")).Status.ShouldBe(HttpStatusCode.Accepted);

        await TestServer.EventuallyAsync(async () => (await GetAsync(b, $"/api/operations/{id}")).Str("status") == "cancelled", "the handler on a to be cancelled");
    }

    [Fact]
    public async Task UnreadCount_OfAUserConnectedToAnotherNode_IsPushedThere()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await using var a = await ClusterNode.StartAsync(database, "a");
        await using var b = await ClusterNode.StartAsync(database, "b");
        await using var user = await b.ConnectAsync("u_1");
        (await user.SubscribeAsync("user:u_1")).Type().ShouldBe("subscribed");

        (await PostAsync(a, "/api/notifications", new { user = "u_1", title = "Build failed", message = "main is red" })).Status.ShouldBe(HttpStatusCode.Created);

        var unread = await user.ReceiveUntilAsync(f => f.Type() == "notifications.unread");
        unread.GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(1);

        (await PostAsync(a, "/api/notifications", new { org = "acme", title = "Maintenance", message = "tonight" })).Status.ShouldBe(HttpStatusCode.Created);

        (await user.ReceiveUntilAsync(f => f.Type() == "notifications.unread")).GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(2);
    }
}
