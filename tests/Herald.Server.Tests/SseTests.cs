using System.Net;

namespace Herald.Server.Tests;

/// <summary>Server-Sent Events with resume by Last-Event-ID.</summary>
public sealed class SseTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Heartbeat:IntervalSeconds"] = "0.2",
        ["Herald:Heartbeat:TimeoutSeconds"] = "0.2",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string Token => TestTokens.Hs256("u_1", "acme");

    [Fact]
    public async Task Stream_DeliversPublicationsAsEventsNamedByType_WithTheNativeJson()
    {
        var (status, sse, _) = await SseClient.ConnectAsync(_server.BaseUri, $"channel=build:acme/s1&token={Token}");
        status.ShouldBe(HttpStatusCode.OK);
        await using var _1 = sse!;
        var subscribed = await sse!.ReceiveAsync();
        subscribed.Event.ShouldBe("subscribed");
        subscribed.Json.Str("channel").ShouldBe("build:acme/s1");

        (await _server.PublishAsync("build:acme/s1", "build.progress", new { percent = 40 })).EnsureSuccessStatusCode();
        var e = await sse.ReceiveAsync();
        e.Event.ShouldBe("build.progress");
        e.Json.Type().ShouldBe("build.progress");
        e.Json.GetProperty("data").GetProperty("percent").GetInt32().ShouldBe(40);
        e.Id.ShouldBe($"{e.Json.Str("epoch")}:1");
    }

    [Fact]
    public async Task Reconnect_WithLastEventId_ResumesWithoutLoss_OnEveryChannel()
    {
        string lastId;
        var query = $"channel=build:acme/s2&channel=deploy:acme/d2&token={Token}";
        var (_, first, _) = await SseClient.ConnectAsync(_server.BaseUri, query);
        await using (first!)
        {
            (await first!.ReceiveAsync()).Event.ShouldBe("subscribed");
            (await first.ReceiveAsync()).Event.ShouldBe("subscribed");
            (await _server.PublishAsync("build:acme/s2", "b", new { n = 1 })).EnsureSuccessStatusCode();
            (await _server.PublishAsync("deploy:acme/d2", "d", new { n = 1 })).EnsureSuccessStatusCode();
            await first.ReceiveAsync();
            await first.ReceiveAsync();
            lastId = first.LastEventId!;
        }
        (await _server.PublishAsync("build:acme/s2", "b", new { n = 2 })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("deploy:acme/d2", "d", new { n = 2 })).EnsureSuccessStatusCode();
        (await _server.PublishAsync("build:acme/s2", "b", new { n = 3 })).EnsureSuccessStatusCode();

        var (_, resumed, _) = await SseClient.ConnectAsync(_server.BaseUri, query, lastEventId: lastId);
        await using var _2 = resumed!;
        var events = new List<SseEvent>();
        while (events.Count(e => e.Event != "subscribed") < 3)
        {
            events.Add(await resumed!.ReceiveAsync());
        }
        events.Where(e => e.Event == "subscribed").ShouldAllBe(e => e.Json.GetProperty("recovered").GetBoolean());
        events.Where(e => e.Event != "subscribed").Select(e => (e.Event, e.Json.GetProperty("data").GetProperty("n").GetInt32()))
            .OrderBy(x => x.Event).ThenBy(x => x.Item2).ShouldBe([("b", 2), ("b", 3), ("d", 2)]);
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("a:1,b:2,c:3")]
    [InlineData("deadbeef:99")]
    [InlineData(":::,")]
    public async Task ForeignLastEventId_IsAnsweredAsNotRecoverable(string lastEventId)
    {
        (await _server.PublishAsync("build:acme/s3", "b", new { })).EnsureSuccessStatusCode();
        var (status, sse, _) = await SseClient.ConnectAsync(_server.BaseUri, $"channel=build:acme/s3&token={Token}", lastEventId: lastEventId);
        status.ShouldBe(HttpStatusCode.OK);
        await using var _1 = sse!;
        var subscribed = await sse!.ReceiveAsync();
        subscribed.Event.ShouldBe("subscribed");
        subscribed.Json.GetProperty("recovered").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public async Task BatchedLogs_ArriveAsOneEventPerLine()
    {
        var (_, sse, _) = await SseClient.ConnectAsync(_server.BaseUri, $"channel=logs:acme/l1&token={Token}");
        await using var _1 = sse!;
        (await sse!.ReceiveAsync()).Event.ShouldBe("subscribed");
        for (var i = 0; i < 10; i++)
        {
            (await _server.PublishAsync("logs:acme/l1", "log_entry", new { line = i })).EnsureSuccessStatusCode();
        }
        for (var i = 0; i < 10; i++)
        {
            var e = await sse.ReceiveAsync();
            e.Event.ShouldBe("log_entry");
            e.Json.GetProperty("data").GetProperty("line").GetInt32().ShouldBe(i);
        }
    }

    [Fact]
    public async Task MultiLineJson_StaysOneDataLine()
    {
        var (_, sse, _) = await SseClient.ConnectAsync(_server.BaseUri, $"channel=build:acme/s4&token={Token}");
        await using var _1 = sse!;
        await sse!.ReceiveAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = new StringContent("{\n  \"channel\": \"build:acme/s4\",\n  \"type\": \"x\",\n  \"data\": {\n    \"text\": \"a\\nb\"\n  }\n}", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        (await _server.Http.SendAsync(request)).EnsureSuccessStatusCode();
        var e = await sse.ReceiveAsync();
        e.Json.GetProperty("data").Str("text").ShouldBe("a\nb");
    }

    [Theory]
    [InlineData("channel=build:acme/s5", HttpStatusCode.Unauthorized)]
    [InlineData("channel=build:acme/s5&token=bad", HttpStatusCode.Unauthorized)]
    [InlineData("channel=build:globex/s5&token={token}", HttpStatusCode.Forbidden)]
    [InlineData("channel=nope:x&token={token}", HttpStatusCode.BadRequest)]
    [InlineData("channel=bad%20name&token={token}", HttpStatusCode.BadRequest)]
    [InlineData("token={token}", HttpStatusCode.BadRequest)]
    public async Task BadRequests_GetProblemsBeforeTheStream(string query, HttpStatusCode expected)
    {
        var (status, sse, body) = await SseClient.ConnectAsync(_server.BaseUri, query.Replace("{token}", Token));
        sse.ShouldBeNull();
        status.ShouldBe(expected);
        JsonDocument.Parse(body).RootElement.Str("detail").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task SilentSseClient_IsNotCutOffByTheHeartbeat()
    {
        // SSE cannot answer pings: with a 0.2 s timeout a WebSocket peer would be gone; the stream stays.
        var (_, sse, _) = await SseClient.ConnectAsync(_server.BaseUri, $"channel=build:acme/s6&token={Token}");
        await using var _1 = sse!;
        await sse!.ReceiveAsync();
        await Task.Delay(1000);
        (await _server.PublishAsync("build:acme/s6", "still", new { })).EnsureSuccessStatusCode();
        (await sse.ReceiveAsync()).Event.ShouldBe("still");
    }
}
