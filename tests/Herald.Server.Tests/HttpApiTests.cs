using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace Herald.Server.Tests;

/// <summary>The HTTP API with API keys and problem-details errors.</summary>
public sealed class HttpApiTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Limits:MaxPublishBytes"] = "2048",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonElement Body)> Post(string path, string body, string? apiKey = TestServer.PublishKey, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        using var response = await _server.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private const string ValidBody = "{\"channel\":\"org:acme\",\"type\":\"x.y\",\"data\":{\"a\":1}}";

    [Fact]
    public async Task Publish_WithoutKey_Is401()
    {
        var (status, body) = await Post("/api/publish", ValidBody, apiKey: null);
        status.ShouldBe(HttpStatusCode.Unauthorized);
        body.GetProperty("status").GetInt32().ShouldBe(401);
        body.Str("detail").ShouldContain("X-API-Key");
    }

    [Fact]
    public async Task Publish_WithUnknownKey_Is401() =>
        (await Post("/api/publish", ValidBody, apiKey: "publish-key-0123456788")).Status.ShouldBe(HttpStatusCode.Unauthorized);

    [Fact]
    public async Task Publish_WithKeyLackingScope_Is403()
    {
        var (status, body) = await Post("/api/publish", ValidBody, apiKey: TestServer.OperationsKey);
        status.ShouldBe(HttpStatusCode.Forbidden);
        body.Str("detail").ShouldContain("publish");
    }

    [Fact]
    public async Task AdminKey_MayPublish() =>
        (await Post("/api/publish", ValidBody, apiKey: TestServer.AdminKey)).Status.ShouldBe(HttpStatusCode.OK);

    [Fact]
    public async Task Stats_WithPublishKey_Is403()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await _server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Publish_WithTextBody_Is415() =>
        (await Post("/api/publish", ValidBody, contentType: "text/plain")).Status.ShouldBe(HttpStatusCode.UnsupportedMediaType);

    [Fact]
    public async Task Publish_TooLarge_Is413()
    {
        var body = "{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":\"" + new string('x', 5000) + "\"}";
        (await Post("/api/publish", body)).Status.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Publish_TooLargeWithChunkedBody_Is413()
    {
        var body = "{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":\"" + new string('x', 5000) + "\"}";
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await _server.Http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("{\"channel\":", 107)]
    [InlineData("[]", 107)]
    [InlineData("{\"type\":\"x\",\"data\":{}}", 107)]
    [InlineData("{\"channel\":5,\"type\":\"x\",\"data\":{}}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"data\":{}}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\"}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"error\",\"data\":{}}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"has space\",\"data\":{}}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":{},\"tags\":{\"a\":1}}", 107)]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":{},\"key\":5}", 107)]
    [InlineData("{\"channel\":\"org acme\",\"type\":\"x\",\"data\":{}}", 114)]
    [InlineData("{\"channel\":\"nope:acme\",\"type\":\"x\",\"data\":{}}", 102)]
    public async Task Publish_BadBodies_Are400WithCode(string body, int code)
    {
        var (status, problem) = await Post("/api/publish", body);
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetInt32().ShouldBe(code);
        problem.Str("detail").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Broadcast_DeliversToEveryChannel()
    {
        await using var a = await _server.ConnectUserAsync("u_1", "acme");
        await using var b = await _server.ConnectUserAsync("u_2", "globex");
        await a.SubscribeAsync("org:acme");
        await b.SubscribeAsync("org:globex");
        var (status, body) = await Post("/api/broadcast", "{\"channels\":[\"org:acme\",\"org:globex\"],\"type\":\"maintenance\",\"data\":{\"at\":\"22:00\"}}");
        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("publications").GetArrayLength().ShouldBe(2);
        (await a.ReceiveAsync()).Type().ShouldBe("maintenance");
        (await b.ReceiveAsync()).Type().ShouldBe("maintenance");
    }

    [Fact]
    public async Task Broadcast_WithOneBadChannel_PublishesNothing()
    {
        await using var a = await _server.ConnectUserAsync("u_1", "acme");
        await a.SubscribeAsync("org:acme");
        var (status, problem) = await Post("/api/broadcast", "{\"channels\":[\"org:acme\",\"bad channel\"],\"type\":\"x\",\"data\":{}}");
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.Str("detail").ShouldContain("bad channel");
        (await Post("/api/publish", "{\"channel\":\"org:acme\",\"type\":\"after\",\"data\":{}}")).Status.ShouldBe(HttpStatusCode.OK);
        (await a.ReceiveAsync()).Type().ShouldBe("after");
    }

    [Fact]
    public async Task Publish_KeepsDataVerbatim_AndCarriesKeyAndTags()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SubscribeAsync("service:acme/db");
        var (status, body) = await Post("/api/publish", "{\"channel\":\"service:acme/db\",\"type\":\"service.status\",\"key\":\"db\",\"tags\":{\"env\":\"prod\"},\"data\":{\"nested\":[1,2.5,\"\\u00e9\",null,true]}}");
        status.ShouldBe(HttpStatusCode.OK);
        var frame = await client.ReceiveAsync();
        frame.Str("publicationId").ShouldBe(body.Str("id"));
        frame.Str("key").ShouldBe("db");
        frame.GetProperty("tags").Str("env").ShouldBe("prod");
        frame.GetProperty("data").GetRawText().ShouldBe("{\"nested\":[1,2.5,\"\\u00e9\",null,true]}");
    }

    [Fact]
    public async Task HealthReadyMetricsAndOpenApi_Answer()
    {
        (await _server.Http.GetFromJsonAsync<JsonElement>("/health")).Str("status").ShouldBe("healthy");
        (await _server.Http.GetFromJsonAsync<JsonElement>("/ready")).Str("status").ShouldBe("ready");
        var metrics = await _server.Http.GetStringAsync("/metrics");
        metrics.ShouldContain("# TYPE herald_connections_active gauge");
        metrics.ShouldContain("herald_publications_total");
        var openApi = await _server.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths");
        foreach (var path in new[] { "/api/publish", "/api/broadcast", "/api/channels", "/api/stats", "/health", "/ready" })
        {
            paths.TryGetProperty(path, out _).ShouldBeTrue(path);
        }
    }

    [Fact]
    public async Task ForceDisconnect_ClosesEveryConnectionOfTheUser()
    {
        await using var a = await _server.ConnectUserAsync("u_1", "acme");
        await using var b = await _server.ConnectUserAsync("u_1", "acme");
        await using var other = await _server.ConnectUserAsync("u_2", "acme");
        var (status, body) = await Post("/api/users/u_1/disconnect", "{}", apiKey: TestServer.AdminKey);
        status.ShouldBe(HttpStatusCode.OK);
        body.GetProperty("disconnected").GetInt32().ShouldBe(2);
        ((int?)(await a.WaitForCloseAsync()).Status).ShouldBe(3504);
        ((int?)(await b.WaitForCloseAsync()).Status).ShouldBe(3504);
        (await other.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task TokensAndKeys_NeverAppearInLogs()
    {
        var token = TestTokens.Hs256("u_1", "acme");
        await using (var viaQuery = await _server.ConnectAsync(token, tokenInQuery: true))
        {
            (await viaQuery.ReceiveAsync()).Type().ShouldBe("connected");
        }
        var badToken = TestTokens.Hs256("u_1", "acme", secret: "another-secret-0123456789-abcdefghijkl");
        await using (var bad = await _server.ConnectAsync())
        {
            await bad.SendJsonAsync(new { type = "connect", token = badToken });
            await bad.WaitForCloseAsync();
        }
        (await Post("/api/publish", ValidBody)).Status.ShouldBe(HttpStatusCode.OK);
        (await Post("/api/publish", ValidBody, apiKey: "wrong-key-0123456789")).Status.ShouldBe(HttpStatusCode.Unauthorized);

        _server.Logs.Lines.ShouldContain(line => line.Contains("authenticated as user u_1") || line.Contains("connected over websocket"));
        foreach (var secret in new[] { token, badToken, TestTokens.Secret, TestServer.PublishKey, "wrong-key-0123456789", token.Split('.')[2] })
        {
            _server.Logs.Lines.ShouldAllBe(line => !line.Contains(secret));
        }
    }
}
