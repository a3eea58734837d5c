using System.Net;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests;

/// <summary>
/// Services subscribe with an API key instead of a user token: the X-API-Key header of the upgrade
/// request or the apiKey of a connect frame on /ws, the X-API-Key header on /sse (Socket.IO is in
/// SocketIOInteropTests, with the official client). The key needs the subscribe scope (admin
/// implies it); a key bound to an organisation sees only that organisation's channels.
/// </summary>
public sealed class ServiceConnectionTests : IAsyncLifetime
{
    public const string SubscribeKey = "subscribe-key-0123456789";
    public const string AcmeKey = "acme-subscribe-key-0123456789";

    /// <summary>The test server's keys plus a subscriber for every channel (svc) and one bound to acme (svc-acme).</summary>
    public static readonly Dictionary<string, string?> Keys = new()
    {
        ["Herald:Auth:ApiKeys:3:Name"] = "svc",
        ["Herald:Auth:ApiKeys:3:Key"] = SubscribeKey,
        ["Herald:Auth:ApiKeys:3:Scopes:0"] = "subscribe",
        ["Herald:Auth:ApiKeys:4:Name"] = "svc-acme",
        ["Herald:Auth:ApiKeys:4:Key"] = AcmeKey,
        ["Herald:Auth:ApiKeys:4:Scopes:0"] = "subscribe",
        ["Herald:Auth:ApiKeys:4:Org"] = "acme",
    };

    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(Keys);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<WsClient> ConnectServiceAsync(string apiKey)
    {
        var client = await _server.ConnectAsync(apiKey: apiKey);
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected", connected.ToString());
        return client;
    }

    [Fact]
    public async Task ApiKeyHeader_WithSubscribeScope_ConnectsAsTheKey_AndReceivesEveryOrganisationsPublications()
    {
        await using var client = await _server.ConnectAsync(apiKey: SubscribeKey);
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected");
        connected.TryGetProperty("id", out _).ShouldBeFalse();
        connected.GetProperty("data").Str("user").ShouldBe("svc");
        connected.GetProperty("data").Str("org").ShouldBe("*");
        connected.GetProperty("data").TryGetProperty("expires", out _).ShouldBeFalse();

        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("org:globex")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("user:u_7")).Type().ShouldBe("subscribed");
        (await _server.PublishAsync("org:globex", "billing.paid", new { amount = 3 })).EnsureSuccessStatusCode();

        var publication = await client.ReceiveAsync();
        publication.Type().ShouldBe("billing.paid");
        publication.Str("channel").ShouldBe("org:globex");
    }

    [Fact]
    public async Task ApiKeyInConnectFrame_ConnectsWithTheRequestId()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendJsonAsync(new { type = "connect", id = "c1", apiKey = SubscribeKey });

        var connected = await client.ReceiveAsync();

        connected.Type().ShouldBe("connected");
        connected.Str("id").ShouldBe("c1");
        connected.GetProperty("data").Str("user").ShouldBe("svc");
    }

    [Fact]
    public async Task AdminKey_ImpliesTheSubscribeScope()
    {
        await using var client = await ConnectServiceAsync(TestServer.AdminKey);
        (await client.SubscribeAsync("org:globex")).Type().ShouldBe("subscribed");
    }

    [Theory]
    [InlineData(TestServer.PublishKey, "the API key 'publisher' lacks the 'subscribe' scope")]
    [InlineData(TestServer.OperationsKey, "the API key 'worker' lacks the 'subscribe' scope")]
    [InlineData("no-such-key-0123456789", "the API key is not valid")]
    public async Task ApiKeyHeader_WithoutTheSubscribeScopeOrUnknown_IsRefusedAsABadTokenIs(string apiKey, string message)
    {
        await using var client = await _server.ConnectAsync(apiKey: apiKey);

        var error = await client.ReceiveAsync();
        error.Type().ShouldBe("error");
        error.Code().ShouldBe(101);
        error.Str("message").ShouldBe(message);
        var disconnect = await client.ReceiveAsync();
        disconnect.Code().ShouldBe(3500);
        ((int?)(await client.WaitForCloseAsync()).Status).ShouldBe(3500);
        _server.Logs.Lines.ShouldNotContain(line => line.Contains(apiKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ApiKeyWithoutTheScope_InConnectFrame_AnswersTheConnectId_ThenDisconnects()
    {
        await using var client = await _server.ConnectAsync();
        await client.SendJsonAsync(new { type = "connect", id = "c", apiKey = TestServer.PublishKey });

        var error = await client.ReceiveAsync();
        error.Str("id").ShouldBe("c");
        error.Code().ShouldBe(101);
        ((int?)(await client.WaitForCloseAsync()).Status).ShouldBe(3500);
    }

    [Fact]
    public async Task OrgBoundKey_SeesOnlyItsOrganisationsChannels()
    {
        await using var client = await ConnectServiceAsync(AcmeKey);

        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("workspace:acme/ws_1")).Type().ShouldBe("subscribed");
        (await client.SubscribeAsync("org:globex")).Code().ShouldBe(103);
        (await client.SubscribeAsync("user:u_1")).Code().ShouldBe(103);
        (await client.RequestAsync("request_history", "org:globex")).Code().ShouldBe(103);
        (await client.RequestAsync("presence", "workspace:globex/ws_1")).Code().ShouldBe(103);
    }

    [Fact]
    public async Task OrgBoundKey_ConnectedAnswer_NamesItsOrganisation()
    {
        await using var client = await _server.ConnectAsync(apiKey: AcmeKey);
        var connected = await client.ReceiveAsync();
        connected.GetProperty("data").Str("org").ShouldBe("acme");
    }

    [Fact]
    public async Task Presence_ShowsTheKeysNameAsTheUser()
    {
        await using var service = await ConnectServiceAsync(AcmeKey);
        await using var alice = await _server.ConnectUserAsync("alice", "acme");
        (await service.RequestAsync("subscribe", "workspace:acme/ws_9", new { info = new { role = "indexer" } })).Type().ShouldBe("subscribed");
        (await alice.SubscribeAsync("workspace:acme/ws_9")).Type().ShouldBe("subscribed");

        var answer = await alice.RequestAsync("presence", "workspace:acme/ws_9");

        var users = answer.GetProperty("data").GetProperty("users").EnumerateArray().ToList();
        users.Select(u => u.Str("user")).ShouldBe(["alice", "svc-acme"], ignoreOrder: true);
        users.Single(u => u.Str("user") == "svc-acme").GetProperty("info").Str("role").ShouldBe("indexer");
    }

    [Fact]
    public async Task ApiKeyAndToken_BothSent_TheKeyIsTheOneChecked()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"), apiKey: SubscribeKey);

        var connected = await client.ReceiveAsync();

        connected.GetProperty("data").Str("user").ShouldBe("svc");
    }

    [Fact]
    public async Task Refresh_OnAKeyConnection_IsNotAvailable_AndTheConnectionStays()
    {
        await using var client = await ConnectServiceAsync(SubscribeKey);

        var answer = await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256("svc", "acme") });

        answer.Code().ShouldBe(108);
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
    }

    [Fact]
    public async Task Sse_WithAnApiKeyHeader_StreamsAnyOrganisationsChannel()
    {
        var (status, sse, body) = await SseClient.ConnectAsync(_server.BaseUri, "channel=org:globex", apiKey: SubscribeKey);
        status.ShouldBe(HttpStatusCode.OK, body);
        await using var stream = sse!;
        (await stream.ReceiveAsync()).Event.ShouldBe("subscribed");
        (await _server.PublishAsync("org:globex", "billing.paid", new { amount = 1 })).EnsureSuccessStatusCode();

        (await stream.ReceiveAsync()).Event.ShouldBe("billing.paid");
    }

    [Fact]
    public async Task Sse_OrgBoundKey_IsRefusedAnotherOrganisationsChannel()
    {
        var (status, _, body) = await SseClient.ConnectAsync(_server.BaseUri, "channel=org:acme&channel=org:globex", apiKey: AcmeKey);

        status.ShouldBe(HttpStatusCode.Forbidden);
        JsonDocument.Parse(body).RootElement.Code().ShouldBe(103);
    }

    [Fact]
    public async Task Sse_KeyWithoutTheSubscribeScope_IsRefusedAsABadTokenIs()
    {
        var (status, _, body) = await SseClient.ConnectAsync(_server.BaseUri, "channel=org:acme", apiKey: TestServer.PublishKey);

        status.ShouldBe(HttpStatusCode.Unauthorized);
        var problem = JsonDocument.Parse(body).RootElement;
        problem.Code().ShouldBe(101);
        problem.Str("detail").ShouldBe("the API key 'publisher' lacks the 'subscribe' scope");
    }

    [Fact]
    public async Task HttpReads_WithAnOrgBoundKey_SeeOnlyItsOrganisation()
    {
        (await _server.SendAsync(HttpMethod.Get, "/api/history?channel=org:acme", apiKey: AcmeKey)).Status.ShouldBe(HttpStatusCode.OK);
        var (status, body) = await _server.SendAsync(HttpMethod.Get, "/api/history?channel=org:globex", apiKey: AcmeKey);
        status.ShouldBe(HttpStatusCode.Forbidden);
        body.Code().ShouldBe(103);
        (await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:globex/ws_1", apiKey: AcmeKey)).Status.ShouldBe(HttpStatusCode.Forbidden);
        (await _server.SendAsync(HttpMethod.Get, "/api/history?channel=org:globex", apiKey: TestServer.PublishKey)).Status.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("Herald:Auth:ApiKeys:0:Scopes:0", "read", "Herald:Auth:ApiKeys:0:Scopes: 'read' is not a scope (publish, operations, subscribe, admin).")]
    [InlineData("Herald:Auth:ApiKeys:4:Org", "ac/me", "Herald:Auth:ApiKeys:4:Org 'ac/me' is not an organisation id")]
    public async Task Server_ABadKeySetting_StopsTheStartNamingIt(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>(Keys) { [key] = value };

        var error = await Should.ThrowAsync<OptionsValidationException>(() => TestServer.StartAsync(settings));

        error.Failures.ShouldContain(f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
