namespace Herald.Server.Tests;

/// <summary>The <c>refresh</c> request over <c>/ws</c> and Socket.IO.</summary>
public sealed class RefreshTests
{
    private static readonly Dictionary<string, string?> GrantNamespace = new()
    {
        ["Herald:Namespaces:granted:Scope"] = "Grant",
    };

    private static long Expires(JsonElement frame) => frame.GetProperty("data").GetProperty("expires").GetInt64();

    private static async Task<WsClient> ConnectAsync(TestServer server, string token)
    {
        var client = await server.ConnectAsync(token);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        return client;
    }

    private static async Task ReceivesPublicationAsync(TestServer server, WsClient client, string channel, int n)
    {
        (await server.PublishAsync(channel, "tick", new { n })).EnsureSuccessStatusCode();
        var frame = await client.ReceiveAsync();
        frame.Type().ShouldBe("tick");
        frame.Str("channel").ShouldBe(channel);
        frame.GetProperty("data").GetProperty("n").GetInt32().ShouldBe(n);
    }

    [Fact]
    public async Task Connected_CarriesExpires_ForATokenWithExp_AndNoneWithout()
    {
        await using var server = await TestServer.StartAsync();
        await using (var withExp = await server.ConnectAsync(TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(1))))
        {
            var connected = await withExp.ReceiveAsync();
            connected.Type().ShouldBe("connected");
            Expires(connected).ShouldBeInRange(3500, 3600);
        }
        var noExp = TestTokens.Raw(new { alg = "HS256", typ = "JWT" }, new { sub = "u1", org = "acme" }, TestTokens.Secret);
        await using var withoutExp = await server.ConnectAsync(noExp);
        var answer = await withoutExp.ReceiveAsync();
        answer.Type().ShouldBe("connected");
        answer.GetProperty("data").TryGetProperty("expires", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task Refresh_WithNewerTokenForTheSameUser_AnswersRefreshedWithItsExpiry_AndKeepsSubscriptions()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ConnectAsync(server, TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(1)));
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        var refreshed = await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(2)) });

        refreshed.Type().ShouldBe("refreshed");
        Expires(refreshed).ShouldBeInRange(7100, 7200);
        refreshed.GetProperty("data").Str("user").ShouldBe("u1");
        refreshed.GetProperty("data").Str("org").ShouldBe("acme");
        await ReceivesPublicationAsync(server, client, "org:acme", 1);
        // Still subscribed: a second subscribe is refused as a duplicate.
        (await client.SubscribeAsync("org:acme")).Code().ShouldBe(105);
    }

    [Theory]
    [InlineData("u2", "acme")]
    [InlineData("u1", "other")]
    public async Task Refresh_WithTokenForAnotherUserOrOrganisation_Is101_AndTheConnectionKeepsItsToken(string user, string org)
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await ConnectAsync(server, TestTokens.Hs256("u1", "acme"));
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        var answer = await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256(user, org) });

        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(101);
        answer.Str("message").ShouldBe("the refreshed token is for another user or organisation");
        await ReceivesPublicationAsync(server, client, "org:acme", 1);
        // The old token's user: its own channel is allowed, the other user's is not.
        (await client.SubscribeAsync("user:u1")).Type().ShouldBe("subscribed");
        (await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256("u1", "acme") })).Type().ShouldBe("refreshed");
    }

    public static TheoryData<string, int> RefusedTokens() => new()
    {
        { TestTokens.Expired("u1", "acme"), 109 },
        { TestTokens.Hs256("u1", "acme", secret: "another-secret-0123456789-abcdefghijkl"), 101 },
        { "not-a-token", 101 },
        { "", 101 },
    };

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task Refresh_WithExpiredOrInvalidToken_IsAnErrorAnswerOnly_AndNothingChanges(string token, int code)
    {
        await using var server = await TestServer.StartAsync(GrantNamespace);
        await using var client = await ConnectAsync(server, TestTokens.Hs256("u1", "acme", channels: ["granted:a"]));
        (await client.SubscribeAsync("granted:a")).Type().ShouldBe("subscribed");

        var answer = await client.RequestAsync("refresh", extra: new { token });

        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(code);
        // The grant of the current token still holds, and delivery goes on.
        await ReceivesPublicationAsync(server, client, "granted:a", 1);
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task Refresh_BeforeConnect_Is101_AndConnectStillWorks()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256("u1", "acme") });

        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(101);
        answer.Str("message").ShouldBe("connection is not authenticated: send 'connect' with a token first");
        (await client.RequestAsync("connect", extra: new { token = TestTokens.Hs256("u1", "acme") })).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task Refresh_WithNarrowerGrant_EndsTheSubscriptionNoLongerAllowed_WithAPushedUnsubscribed()
    {
        await using var server = await TestServer.StartAsync(GrantNamespace);
        await using var client = await ConnectAsync(server, TestTokens.Hs256("u1", "acme", channels: ["granted:a", "granted:b"]));
        (await client.SubscribeAsync("granted:a")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("granted:b")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        await client.SendJsonAsync(new { type = "refresh", id = "narrow", token = TestTokens.Hs256("u1", "acme", channels: ["granted:a"]) });
        var first = await client.ReceiveAsync();
        var second = await client.ReceiveAsync();

        var frames = new[] { first, second };
        var ended = frames.Where(f => f.Type() == "unsubscribed").ShouldHaveSingleItem();
        ended.Str("channel").ShouldBe("granted:b");
        ended.Code().ShouldBe(117);
        ended.Str("message").ShouldBe("the refreshed token does not allow 'granted:b'");
        ended.TryGetProperty("id", out _).ShouldBeFalse();
        frames.Where(f => f.Type() == "refreshed").ShouldHaveSingleItem().Str("id").ShouldBe("narrow");

        // Nothing more for the ended channel: the next frame is the publication on the kept one.
        (await server.PublishAsync("granted:b", "tick", new { n = 0 })).EnsureSuccessStatusCode();
        await ReceivesPublicationAsync(server, client, "granted:a", 1);
        await ReceivesPublicationAsync(server, client, "org:acme", 2);
        // Subscribing again needs a token that allows it.
        (await client.SubscribeAsync("granted:b")).Code().ShouldBe(103);
    }

    [Fact]
    public async Task SocketIO_Refresh_AcksOkWithTheNewExpiry()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = await SocketIOTestClient.ConnectUserAsync(server, "u1", "acme");

        var ack = await client.EmitWithAckAsync("refresh", JsonSerializer.Serialize(new { token = TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(2)) }));

        ack.GetProperty("ok").GetBoolean().ShouldBeTrue();
        ack.GetProperty("expires").GetInt64().ShouldBeInRange(7100, 7200);
        ack.Str("user").ShouldBe("u1");

        var refused = await client.EmitWithAckAsync("refresh", JsonSerializer.Serialize(new { token = TestTokens.Hs256("u2", "acme") }));
        refused.GetProperty("ok").GetBoolean().ShouldBeFalse();
        refused.GetProperty("error").Code().ShouldBe(101);
    }

    [Fact]
    public async Task SocketIO_RefreshWithNarrowerGrant_EmitsUnsubscribed()
    {
        await using var server = await TestServer.StartAsync(GrantNamespace);
        await using var client = await SocketIOTestClient.OpenAsync(server);
        (await client.ConnectNamespaceAsync(JsonSerializer.Serialize(new { token = TestTokens.Hs256("u1", "acme", channels: ["granted:a", "granted:b"]) }))).ShouldStartWith("40{");
        (await client.EmitWithAckAsync("subscribe", """{"channel":"granted:a"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();
        (await client.EmitWithAckAsync("subscribe", """{"channel":"granted:b"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();

        var ackId = client.NextAckId();
        await client.SendAsync($"42{ackId}[\"refresh\",{JsonSerializer.Serialize(new { token = TestTokens.Hs256("u1", "acme", channels: ["granted:a"]) })}]");
        var packets = new List<string>();
        var ackPrefix = $"43{ackId}[";
        while (packets.Count == 0 || !packets[^1].StartsWith(ackPrefix, StringComparison.Ordinal))
        {
            packets.Add(await client.ReceiveAsync());
        }

        var ended = packets.Where(p => p.StartsWith("42[\"unsubscribed\"", StringComparison.Ordinal)).ShouldHaveSingleItem();
        var arguments = JsonDocument.Parse(ended[2..]).RootElement;
        arguments[1].Str("channel").ShouldBe("granted:b");
        arguments[1].Code().ShouldBe(117);
        JsonDocument.Parse(packets[^1][(ackPrefix.Length - 1)..]).RootElement[0].GetProperty("ok").GetBoolean().ShouldBeTrue();

        // Only the kept channel still delivers.
        (await server.PublishAsync("granted:b", "tick", new { n = 0 })).EnsureSuccessStatusCode();
        (await server.PublishAsync("granted:a", "tick", new { n = 1 })).EnsureSuccessStatusCode();
        var next = await client.ReceiveAsync();
        next.ShouldStartWith("42[\"tick\"");
        JsonDocument.Parse(next[2..]).RootElement[1].Str("channel").ShouldBe("granted:a");
    }
}
