using System.Net.WebSockets;
using System.Text;

namespace Herald.Server.Tests;

/// <summary>Limits: each limit answers with its documented code.</summary>
public sealed class LimitsTests
{
    private static Task<TestServer> Start(string key, string value) =>
        TestServer.StartAsync(new Dictionary<string, string?> { [key] = value });

    [Fact]
    public async Task SubscriptionsPerConnection_AreLimited()
    {
        await using var server = await Start("Herald:Limits:MaxSubscriptionsPerConnection", "2");
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("task:acme/1")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("task:acme/2")).Code().ShouldBe(106);
        (await client.RequestAsync("unsubscribe", "task:acme/1")).Type().ShouldBe("unsubscribed");
        (await client.SubscribeAsync("task:acme/2")).Type().ShouldBe("subscribed");
    }

    [Fact]
    public async Task ChannelNameLength_IsLimited()
    {
        await using var server = await Start("Herald:Limits:MaxChannelNameLength", "20");
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        (await client.SubscribeAsync("task:acme/" + new string('a', 10))).Type().ShouldBe("subscribed");
        var error = await client.SubscribeAsync("task:acme/" + new string('a', 11));
        error.Code().ShouldBe(114);
        error.Str("message").ShouldContain("20");
    }

    [Fact]
    public async Task ConnectionsPerUser_AreLimited()
    {
        await using var server = await Start("Herald:Limits:MaxConnectionsPerUser", "2");
        await using var a = await server.ConnectUserAsync("u_1", "acme");
        await using var b = await server.ConnectUserAsync("u_1", "acme");
        await using var c = await server.ConnectAsync(TestTokens.Hs256("u_1", "acme"));
        var error = await c.ReceiveAsync();
        error.Type().ShouldBe("error");
        error.Code().ShouldBe(106);
        var disconnect = await c.ReceiveAsync();
        disconnect.Type().ShouldBe("disconnect");
        disconnect.Code().ShouldBe(3503);
        ((int?)(await c.WaitForCloseAsync()).Status).ShouldBe(3503);
        // Another user is not affected, and a slot frees up when a connection closes.
        await using var other = await server.ConnectUserAsync("u_2", "acme");
        await a.DisposeAsync();
        await TestServer.EventuallyAsync(async () => (await server.GetJsonAsync("/api/stats")).GetProperty("connections").GetInt64() == 2, "the closed connection to be removed");
        await using var d = await server.ConnectUserAsync("u_1", "acme");
    }

    [Fact]
    public async Task InboundFlood_IsDisconnectedWithTooManyRequests()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Limits:MaxMessagesPerSecond"] = "5",
            ["Herald:Limits:MessageBurst"] = "10",
        });
        await using var flooder = await server.ConnectUserAsync("u_1", "acme");
        await using var bystander = await server.ConnectUserAsync("u_2", "acme");
        await bystander.SubscribeAsync("org:acme");
        for (var i = 0; i < 200 && flooder.Socket.State == WebSocketState.Open; i++)
        {
            try
            {
                await flooder.SendTextAsync("{\"type\":\"ping\"}");
            }
            catch (WebSocketException)
            {
                break;
            }
        }
        var (status, _) = await flooder.WaitForCloseAsync();
        ((int?)status).ShouldBe(3011);
        (await server.PublishAsync("org:acme", "ok", new { })).EnsureSuccessStatusCode();
        (await bystander.ReceiveAsync()).Type().ShouldBe("ok");
    }

    [Fact]
    public async Task NoConnectWithinHandshakeTimeout_IsDisconnected()
    {
        await using var server = await Start("Herald:Limits:HandshakeTimeoutSeconds", "1");
        await using var client = await server.ConnectAsync();
        var disconnect = await client.ReceiveAsync();
        disconnect.Code().ShouldBe(3502);
        disconnect.GetProperty("reconnect").GetBoolean().ShouldBeFalse();
        ((int?)(await client.WaitForCloseAsync()).Status).ShouldBe(3502);
    }

    [Fact]
    public async Task SlowConsumer_IsCutOff_WhileHealthyClientsReceiveEverything()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Limits:MaxSendQueueBytes"] = "262144",
            ["Herald:Limits:MaxPublishBytes"] = "1048576",
            ["Herald:Limits:WriteTimeoutSeconds"] = "60",
        });
        // The slow client reads its handshake answers by hand, then stops reading.
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Hs256("slow", "acme"));
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await socket.ConnectAsync(server.WebSocketUri(), cts.Token);
            await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"id\":\"1\",\"channel\":\"build:acme/big\"}"), WebSocketMessageType.Text, true, cts.Token);
            var buffer = new byte[4096];
            for (var answers = 0; answers < 2;)
            {
                var r = await socket.ReceiveAsync(buffer, cts.Token);
                answers += r.EndOfMessage ? 1 : 0;
            }
        }
        await using var healthy = await server.ConnectUserAsync("fast", "acme");
        (await healthy.SubscribeAsync("build:acme/big")).Type().ShouldBe("subscribed");

        var payload = new string('x', 200_000);
        var published = 0;
        var received = 0;
        // Publish until the server reports the slow consumer (bounded: 400 × 200 KB is far beyond any socket buffer).
        for (; published < 400; published++)
        {
            (await server.PublishAsync("build:acme/big", "log_chunk", new { n = published, payload })).EnsureSuccessStatusCode();
            var frame = await healthy.ReceiveAsync();
            frame.GetProperty("data").GetProperty("n").GetInt32().ShouldBe(received++);
            var stats = await server.GetJsonAsync("/api/stats");
            if (stats.GetProperty("slowConsumers").GetInt64() == 1)
            {
                stats.GetProperty("dropped").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
                break;
            }
        }
        published.ShouldBeLessThan(400);

        // When the slow client reads again, it finds the slow-consumer close after what was already in flight.
        await using var slow = new WsClient(socket);
        var (status, description) = await slow.WaitForCloseAsync(TimeSpan.FromSeconds(30));
        ((int?)status).ShouldBe(3008);
        description.ShouldBe("slow consumer");
        (await server.GetJsonAsync("/api/stats")).GetProperty("connections").GetInt64().ShouldBe(1);
    }
}
