using System.Net.WebSockets;
using System.Net;

namespace Herald.Server.Tests;

public sealed class WebSocketProtocolTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Connect_WithPercentEncodedTokenAmongOtherQueryParameters_IsAuthenticated()
    {
        var token = TestTokens.Hs256("u_q", "acme");
        var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await socket.ConnectAsync(_server.WebSocketUri("v=1&token=" + token.Replace(".", "%2E") + "&token=ignored&x"), cts.Token);
        await using var client = new WsClient(socket);

        var connected = await client.ReceiveAsync();

        connected.Type().ShouldBe("connected");
        connected.GetProperty("data").Str("user").ShouldBe("u_q");
    }

    [Fact]
    public async Task Request_SplitOverFramesWithPausesBetween_IsAnsweredOnce()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var parts = new[] { "{\"type\":\"sub", "scribe\",\"id\":\"f1\",", "\"channel\":\"org:acme\"}" };

        for (var i = 0; i < parts.Length; i++)
        {
            await client.Socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(parts[i]), WebSocketMessageType.Text, endOfMessage: i == parts.Length - 1, CancellationToken.None)
                .WaitAsync(TestServer.Timeout);
            await Task.Delay(50);
        }

        var answer = await client.ReceiveAsync();
        answer.Type().ShouldBe("subscribed");
        answer.Str("id").ShouldBe("f1");
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task Connect_WithBearerToken_AnswersConnectedWithUserAndOrg()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"));
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected");
        var data = connected.GetProperty("data");
        data.Str("user").ShouldBe("u_1");
        data.Str("org").ShouldBe("acme");
        data.Str("client").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Connect_WithTokenQueryParameter_IsAuthenticated()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"), tokenInQuery: true);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
    }

    [Fact]
    public async Task Connect_WithFirstConnectFrame_AnswersConnectedWithTheRequestId()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendJsonAsync(new { type = "connect", id = "c1", token = TestTokens.Hs256("u_1", "acme") });
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected");
        connected.Str("id").ShouldBe("c1");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
    }

    [Fact]
    public async Task Connect_TokenInsideData_IsAccepted()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendJsonAsync(new { type = "connect", id = 7, data = new { token = TestTokens.Hs256("u_1", "acme") } });
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected");
        connected.GetProperty("id").GetInt32().ShouldBe(7);
    }

    [Fact]
    public async Task Subscribe_ThenHttpPublish_DeliversThePublication()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.SubscribeAsync("task:acme/t_1");
        answer.Type().ShouldBe("subscribed");
        answer.Str("channel").ShouldBe("task:acme/t_1");

        using var response = await _server.PublishAsync("task:acme/t_1", "task.status", new { status = "RUNNING" });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        var publication = await client.ReceiveAsync();
        publication.Type().ShouldBe("task.status");
        publication.Str("channel").ShouldBe("task:acme/t_1");
        publication.GetProperty("data").GetProperty("status").GetString().ShouldBe("RUNNING");
        DateTimeOffset.Parse(publication.Str("timestamp"), System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
        publication.Str("publicationId").ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Publication_ReachesEverySubscriberInPublishOrder()
    {
        await using var a = await _server.ConnectUserAsync("u_1", "acme");
        await using var b = await _server.ConnectUserAsync("u_2", "acme");
        (await a.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await b.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        for (var i = 0; i < 20; i++)
        {
            using var response = await _server.PublishAsync("org:acme", "counter", new { i });
            response.EnsureSuccessStatusCode();
        }
        foreach (var client in new[] { a, b })
        {
            for (var i = 0; i < 20; i++)
            {
                (await client.ReceiveAsync()).GetProperty("data").GetProperty("i").GetInt32().ShouldBe(i);
            }
        }
    }

    [Fact]
    public async Task Unsubscribe_StopsDelivery_AndAnswersUnsubscribed()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SubscribeAsync("org:acme");
        await client.SubscribeAsync("task:acme/t_1");
        (await client.RequestAsync("unsubscribe", "org:acme")).Type().ShouldBe("unsubscribed");

        (await _server.PublishAsync("org:acme", "ignored", new { })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("task:acme/t_1", "task.progress", new { progress = 50 })).EnsureSuccessStatusCode();

        // Per-channel order and one publisher: had the first been delivered, it would arrive first.
        (await client.ReceiveAsync()).Type().ShouldBe("task.progress");
    }

    [Fact]
    public async Task Ping_WithId_AnswersPongWithThatId()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var pong = await client.RequestAsync("ping");
        pong.Type().ShouldBe("pong");
    }

    [Fact]
    public async Task IntegerRequestIds_AreEchoedAsIntegers()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SendJsonAsync(new { type = "subscribe", id = 42, channel = "org:acme" });
        var answer = await client.ReceiveAsync();
        answer.Type().ShouldBe("subscribed");
        answer.GetProperty("id").GetInt32().ShouldBe(42);
    }

    [Fact]
    public async Task EveryRequest_GetsExactlyOneAnswer_InOrder()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SendJsonAsync(new { type = "subscribe", id = "1", channel = "org:acme" });
        await client.SendJsonAsync(new { type = "subscribe", id = "2", channel = "org:acme" });
        await client.SendJsonAsync(new { type = "ping", id = "3" });
        await client.SendJsonAsync(new { type = "unsubscribe", id = "4", channel = "org:acme" });
        await client.SendJsonAsync(new { type = "unsubscribe", id = "5", channel = "org:acme" });
        await client.SendJsonAsync(new { type = "ping", id = "6" });
        var answers = new List<JsonElement>();
        for (var i = 0; i < 6; i++)
        {
            answers.Add(await client.ReceiveAsync());
        }
        answers.Select(a => a.Str("id")).ShouldBe(["1", "2", "3", "4", "5", "6"]);
        answers.Select(a => a.Type()).ShouldBe(["subscribed", "error", "pong", "unsubscribed", "error", "pong"]);
        answers[1].Code().ShouldBe(105);
        answers[4].Code().ShouldBe(113);
    }

    [Fact]
    public async Task Filters_DeliverOnlyMatchingTags()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.SubscribeAsync("executions:acme", new Dictionary<string, string[]> { ["status"] = ["running", "failed"] })).Type().ShouldBe("subscribed");

        (await _server.PublishAsync("executions:acme", "execution.completed", new { n = 1 }, new { status = "completed", workflow_id = "wf_1" })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("executions:acme", "execution.untagged", new { n = 2 })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("executions:acme", "execution.failed", new { n = 3 }, new { status = "failed", workflow_id = "wf_1" })).EnsureSuccessStatusCode();

        var frame = await client.ReceiveAsync();
        frame.Type().ShouldBe("execution.failed");
        frame.GetProperty("tags").GetProperty("status").GetString().ShouldBe("failed");
    }

    [Fact]
    public async Task UpdateFilter_ChangesWhatIsDelivered()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SubscribeAsync("executions:acme", new Dictionary<string, string[]> { ["status"] = ["running"] });
        var updated = await client.RequestAsync("update_filter", "executions:acme", new { filters = new Dictionary<string, string[]> { ["workflow_id"] = ["wf_2"] } });
        updated.Type().ShouldBe("filter_updated");

        (await _server.PublishAsync("executions:acme", "a", new { }, new { status = "running", workflow_id = "wf_1" })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("executions:acme", "b", new { }, new { status = "failed", workflow_id = "wf_2" })).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).Type().ShouldBe("b");

        var cleared = await client.RequestAsync("update_filter", "executions:acme", new { filters = (object?)null });
        cleared.Type().ShouldBe("filter_updated");
        (await _server.PublishAsync("executions:acme", "c", new { })).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).Type().ShouldBe("c");
    }

    [Fact]
    public async Task Subscribe_WithChannelAndFiltersInsideData_IsAccepted()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SendJsonAsync(new { type = "subscribe", id = "s", timestamp = "2024-01-15T10:30:00Z", data = new { channel = "executions:acme", filters = new { status = new[] { "failed" } } } });
        var answer = await client.ReceiveAsync();
        answer.Type().ShouldBe("subscribed");
        answer.Str("channel").ShouldBe("executions:acme");
        (await _server.PublishAsync("executions:acme", "execution.running", new { }, new { status = "running" })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("executions:acme", "execution.failed", new { }, new { status = "failed" })).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).Type().ShouldBe("execution.failed");
    }

    [Fact]
    public async Task ClientPublish_WhereNamespaceForbidsIt_AnswersNotAvailable()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var answer = await client.RequestAsync("publish", "org:acme", new { @event = "chat", data = new { text = "hi" } });
        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(108);
    }

    [Fact]
    public async Task Stats_CountConnectionsUsersChannelsAndMessages()
    {
        await using var a = await _server.ConnectUserAsync("u_1", "acme");
        await using var b = await _server.ConnectUserAsync("u_1", "acme");
        await a.SubscribeAsync("org:acme");
        await b.SubscribeAsync("org:acme");
        await b.SubscribeAsync("user:u_1");
        (await _server.PublishAsync("org:acme", "x", new { })).EnsureSuccessStatusCode();
        await a.ReceiveAsync();
        await b.ReceiveAsync();

        var stats = await _server.GetJsonAsync("/api/stats");
        stats.GetProperty("connections").GetInt64().ShouldBe(2);
        stats.GetProperty("users").GetInt64().ShouldBe(1);
        stats.GetProperty("channels").GetInt64().ShouldBe(2);
        stats.GetProperty("subscriptions").GetInt64().ShouldBe(3);
        stats.GetProperty("messagesIn").GetInt64().ShouldBeGreaterThanOrEqualTo(3);
        stats.GetProperty("messagesOut").GetInt64().ShouldBe(2);
        stats.GetProperty("publications").GetInt64().ShouldBe(1);

        var channels = await _server.GetJsonAsync("/api/channels");
        channels.GetProperty("channels").EnumerateArray().Select(c => (c.Str("channel"), c.GetProperty("subscribers").GetInt32()))
            .ShouldBe([("org:acme", 2), ("user:u_1", 1)]);
    }
}
