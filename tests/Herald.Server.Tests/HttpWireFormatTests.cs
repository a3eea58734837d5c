using System.Net;

namespace Herald.Server.Tests;

/// <summary>
/// HTTP answers are written from typed records, and events and frames by hand: the same thing
/// must come out byte for byte, and request bodies keep their raw JSON verbatim.
/// </summary>
public sealed class HttpWireFormatTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PublishAnswer_HasItsDocumentedFields()
    {
        var (status, body) = await _server.SendAsync(HttpMethod.Post, "/api/publish",
            "{\"channel\":\"build:acme/w1\",\"type\":\"x\",\"data\":{}}", apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.OK);
        body.EnumerateObject().Select(p => p.Name).ShouldBe(["id", "channel", "type", "timestamp", "offset", "epoch"]);
        body.Str("timestamp").ShouldEndWith("+00:00");
    }

    [Theory]
    [InlineData("{\"a\": [1, 2.50, \"\\u00e9\"]}")]
    [InlineData("\"text\"")]
    [InlineData("-1.5e3")]
    [InlineData("null")]
    [InlineData("[ ]")]
    public async Task HistoryOverHttp_MatchesTheWebSocketAnswer_AndKeepsDataVerbatim(string data)
    {
        var channel = "build:acme/w" + Math.Abs(data.GetHashCode(StringComparison.Ordinal));
        var (status, _) = await _server.SendAsync(HttpMethod.Post, "/api/publish",
            $"{{\"channel\":\"{channel}\",\"type\":\"x\",\"key\":\"k\",\"tags\":{{\"env\":\"prod\"}},\"data\":{data}}}", apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.OK);
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var frame = await client.RequestAsync("request_history", channel, new { limit = 10 });
        var (httpStatus, http) = await _server.SendAsync(HttpMethod.Get, $"/api/history?channel={channel}&limit=10", apiKey: TestServer.PublishKey);
        httpStatus.ShouldBe(HttpStatusCode.OK);
        http.GetProperty("publications").GetRawText().ShouldBe(frame.GetProperty("publications").GetRawText());
        http.GetProperty("publications")[0].GetProperty("data").GetRawText().ShouldBe(data);
        http.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "channel", "offset", "epoch", "publications", "hasMore"]);
    }

    [Fact]
    public async Task OperationAnswer_MatchesItsEvent()
    {
        await using var client = await _server.ConnectUserAsync("alice", "acme");
        await client.SubscribeAsync("connection:acme/w1");
        var (status, created) = await _server.SendAsync(HttpMethod.Post, "/api/operations",
            "{\"type\":\"wire.check\",\"resource\":\"connection:acme/w1\",\"parameters\":{ \"x\" : 1 }}", bearer: TestTokens.Hs256("alice", "acme"));
        status.ShouldBe(HttpStatusCode.Accepted);
        var evt = await client.ReceiveUntilAsync(f => f.Type() == "operation.created");
        created.GetRawText().ShouldBe(evt.GetProperty("data").GetRawText());
        created.GetProperty("parameters").GetRawText().ShouldBe("{ \"x\" : 1 }");
    }

    [Fact]
    public async Task NotificationAnswer_MatchesItsEvent()
    {
        await using var client = await _server.ConnectUserAsync("alice", "acme");
        await client.SubscribeAsync("user:alice");
        var (status, created) = await _server.SendAsync(HttpMethod.Post, "/api/notifications",
            "{\"user\":\"alice\",\"title\":\"t\",\"message\":\"m\",\"data\":[1,\"é\"]}", apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.Created);
        var evt = await client.ReceiveUntilAsync(f => f.Type() == "notification");
        created.GetRawText().ShouldBe(evt.GetProperty("data").GetRawText());
        created.TryGetProperty("org", out _).ShouldBeFalse();
        created.TryGetProperty("link", out _).ShouldBeFalse();
    }

    [Fact]
    public async Task PresenceOverHttp_MatchesTheWebSocketAnswer()
    {
        await using var client = await _server.ConnectUserAsync("alice", "acme");
        (await client.RequestAsync("subscribe", "workspace:acme/w1", new { info = new { viewing = "é" } })).Type().ShouldBe("subscribed");
        var frame = await client.RequestAsync("presence", "workspace:acme/w1");
        var (status, http) = await _server.SendAsync(HttpMethod.Get, "/api/presence?channel=workspace:acme/w1", apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.OK);
        http.GetProperty("users").GetRawText().ShouldBe(frame.GetProperty("data").GetProperty("users").GetRawText());
    }

    [Theory]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":{},\"tags\":{\"a\":1}}", "'tags.a' must be a string")]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":{},\"tags\":{\"a b\":null}}", "'tags.a b' must be a string")]
    [InlineData("{\"channel\":\"org:acme\",\"type\":\"x\",\"data\":{},\"tags\":[]}", "'tags' must be an object of strings")]
    [InlineData("{\"channel\":5,\"type\":\"x\",\"data\":{}}", "'channel' must be a string")]
    [InlineData("[]", "the body must be a JSON object")]
    [InlineData("null", "the body must be a JSON object")]
    [InlineData("{\"channel\":5,", "malformed JSON: ")]
    public async Task Publish_WrongTypes_NameTheField(string body, string detail)
    {
        var (status, problem) = await _server.SendAsync(HttpMethod.Post, "/api/publish", body, apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetInt32().ShouldBe(107);
        problem.Str("detail").ShouldStartWith(detail);
    }

    [Theory]
    [InlineData("/api/broadcast", "{\"channels\":[\"org:acme\",null],\"type\":\"x\",\"data\":{}}", "'channels' must be an array of strings")]
    [InlineData("/api/broadcast", "{\"channels\":[\"org:acme\",5],\"type\":\"x\",\"data\":{}}", "'channels' must be an array of strings")]
    [InlineData("/api/broadcast", "{\"type\":\"x\",\"data\":{}}", "'channels' must be an array of strings")]
    [InlineData("/api/operations", "{\"type\":\"x\",\"resource\":\"connection:acme/1\",\"parameters\":[1]}", "'parameters' must be a JSON object")]
    [InlineData("/api/notifications", "{\"user\":\"a\",\"title\":{},\"message\":\"m\"}", "'title' must be a string")]
    public async Task OtherBodies_WrongTypes_NameTheField(string path, string body, string detail)
    {
        var (status, problem) = await _server.SendAsync(HttpMethod.Post, path, body, apiKey: TestServer.AdminKey);
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.GetProperty("code").GetInt32().ShouldBe(107);
        problem.Str("detail").ShouldBe(detail);
    }

    [Theory]
    [InlineData("{\"progress\":10.5}")]
    [InlineData("{\"progress\":\"10\"}")]
    public async Task Update_WithProgressNotAnInteger_NamesTheField(string body)
    {
        var (status, problem) = await _server.SendAsync(HttpMethod.Patch, "/api/operations/op_x", body, apiKey: TestServer.OperationsKey);
        status.ShouldBe(HttpStatusCode.BadRequest);
        problem.Str("detail").ShouldBe("'progress' must be an integer between 0 and 100");
    }
}
