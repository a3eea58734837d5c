namespace Herald.Server.Tests;

/// <summary>One test per fixed bug, named after it.</summary>
public sealed class RegressionTests
{
    [Fact]
    public async Task OversizedFrame_WithLimitNotAPowerOfTwo_IsAnsweredAndTheConnectionGoesOn()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Limits:MaxFrameBytes"] = "5000" });
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        await client.SendTextAsync("{\"type\":\"ping\",\"pad\":\"" + new string('x', 6000) + "\"}");
        (await client.ReceiveAsync()).Code().ShouldBe(115);
        // A frame just under the limit still works.
        await client.SendTextAsync("{\"type\":\"ping\",\"id\":\"ok\",\"pad\":\"" + new string('x', 4900) + "\"}");
        (await client.ReceiveAsync()).Str("id").ShouldBe("ok");
    }

    [Fact]
    public async Task RequestIdAfterABadField_IsStillEchoedInTheError()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        await client.SendTextAsync("{\"type\":\"subscribe\",\"channel\":42,\"id\":\"late\"}");
        var error = await client.ReceiveAsync();
        error.Code().ShouldBe(107);
        error.Str("id").ShouldBe("late");
    }

    [Fact]
    public async Task ClientPublishes_KeepTheirDataInHistory_AfterTheReceiveBufferIsReused()
    {
        // The data of a client publish was kept as a slice of the pooled receive buffer, which the
        // next frames overwrote: history served someone else's bytes (or broken JSON).
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Namespaces:chat:AllowPublish"] = "true",
            ["Herald:Namespaces:chat:Scope"] = "Org",
            ["Herald:Namespaces:chat:HistorySize"] = "100",
        });
        await using var a = await server.ConnectUserAsync("u_1", "acme");
        await using var b = await server.ConnectUserAsync("u_2", "acme");
        for (var i = 0; i < 20; i++)
        {
            var client = i % 2 == 0 ? a : b;
            var answer = await client.RequestAsync("publish", "chat:acme", new { @event = "chat.message", data = new { n = i, text = new string((char)('a' + i), 200) } });
            answer.Type().ShouldBe("published", answer.GetRawText());
            // Other frames through the same buffers.
            (await client.RequestAsync("ping", null, new { padding = new string('z', 300) })).Type().ShouldBe("pong");
        }
        var history = await server.GetJsonAsync("/api/history?channel=chat:acme&limit=100");
        var data = history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data")).ToList();
        data.Select(d => d.GetProperty("n").GetInt32()).ShouldBe(Enumerable.Range(0, 20));
        data.ShouldAllBe(d => d.Str("text") == new string((char)('a' + d.GetProperty("n").GetInt32()), 200));
    }

    [Fact]
    public async Task ClientPublishWithoutEvent_NamesTheEventField()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Namespaces:chat:AllowPublish"] = "true", ["Herald:Namespaces:chat:Scope"] = "Org" });
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        var error = await client.RequestAsync("publish", "chat:acme", new { data = new { text = "hi" } });
        error.Code().ShouldBe(107);
        error.Str("message").ShouldContain("'event'");
        await client.SubscribeAsync("chat:acme");
        await client.SendJsonAsync(new { type = "publish", id = "p", channel = "chat:acme", @event = "chat.message", data = new { text = "hi" } });
        // The publisher is a subscriber too: it gets the publication and the answer, the publication first.
        (await client.ReceiveAsync()).Type().ShouldBe("chat.message");
        var published = await client.ReceiveAsync();
        published.Type().ShouldBe("published");
        published.Str("id").ShouldBe("p");
        published.GetProperty("data").TryGetProperty("offset", out var offset).ShouldBeTrue(published.GetRawText());
        offset.GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task NamespaceSettingsInUpperCase_ChangeTheShippedNamespace()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Namespaces:LOGS:HistorySize"] = "5" });
        var node = server.Services.GetRequiredService<Herald.Core.Node>();
        node.Namespaces.TryGet("logs", out var logs).ShouldBeTrue();
        logs.HistorySize.ShouldBe(5);
        logs.Delivery.ShouldBe(Herald.Core.Channels.DeliveryMode.Batched);
    }

    [Theory]
    [InlineData("--Herald:Limits:MaxFrameByts=100000", "MaxFrameByts")]
    [InlineData("--Herald:Limits:MaxFrameBytes=64k", "MaxFrameBytes")]
    [InlineData("--Herald:Namespaces:chat:Scope=Publik", "Scope")]
    [InlineData("--Herald:Storage:SqlitPath=x.db", "Herald:Storage:SqlitPath")]
    [InlineData("--Herald:Storage:Provider=Mysql", "Herald:Storage:Provider")]
    [InlineData("--Herald:Storage:Provider=Postgres", "Herald:Storage:PostgresConnectionString")]
    public async Task UnknownOrUnconvertibleSettings_StopTheServerNamingThem(string argument, string named)
    {
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0", argument], new Dictionary<string, string>
        {
            ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
        });
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(2);
        server.Stderr.ShouldContain(named);
        server.Stdout.ShouldNotContain("development credentials");
    }

    [Fact]
    public async Task AspNetCoreUrls_IsHonoured()
    {
        await using var server = ServerProcess.Start([], new Dictionary<string, string>
        {
            ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        });
        var uri = await server.WaitListeningAsync();
        uri.Port.ShouldNotBe(5080);
    }

    [Fact]
    public async Task SseReconnectBeforeTheFirstPublication_StillRecovers()
    {
        await using var server = await TestServer.StartAsync();
        var query = $"channel=build:acme/early&token={TestTokens.Hs256("u_1", "acme")}";
        string id;
        var (_, first, _) = await SseClient.ConnectAsync(server.BaseUri, query);
        await using (first!)
        {
            var subscribed = await first!.ReceiveAsync();
            subscribed.Id.ShouldNotBeNull();
            id = first.LastEventId!;
        }
        (await server.PublishAsync("build:acme/early", "missed", new { })).EnsureSuccessStatusCode();
        var (_, again, _) = await SseClient.ConnectAsync(server.BaseUri, query, lastEventId: id);
        await using var _a = again!;
        (await again!.ReceiveAsync()).Json.GetProperty("recovered").GetBoolean().ShouldBeTrue();
        (await again.ReceiveAsync()).Event.ShouldBe("missed");
    }

    [Fact]
    public async Task HistoryFromAnOffsetAheadOfTheStream_IsUnrecoverable()
    {
        await using var server = await TestServer.StartAsync();
        (await server.PublishAsync("build:acme/ahead", "x", new { })).EnsureSuccessStatusCode();
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        (await client.RequestAsync("request_history", "build:acme/ahead", new { since = new { offset = 5 } })).Code().ShouldBe(112);
    }
}
