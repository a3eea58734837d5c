using System.Net;
using System.Net.Http.Json;

namespace Herald.Server.Tests;

/// <summary>The dashboard served by the standalone server, the JSON description at <c>/</c>, and <c>GET /api/connections</c>.</summary>
public sealed class DashboardTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<HttpResponseMessage> GetAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        return await _server.Http.SendAsync(request);
    }

    [Fact]
    public async Task Root_ForABrowser_IsTheDashboardPage()
    {
        using var response = await GetAsync("/", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("default-src 'self'");
        (await response.Content.ReadAsStringAsync()).ShouldContain("<div id=\"root\"></div>");
    }

    [Fact]
    public async Task Root_AskedForJson_DescribesTheServer()
    {
        using var response = await GetAsync("/", "application/json");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("name").GetString().ShouldBe("Herald");
        body.GetProperty("websocket").GetString().ShouldBe("/ws");
        body.GetProperty("openapi").GetString().ShouldBe("/openapi/v1.json");
    }

    [Fact]
    public async Task PagePaths_FallBackToTheDashboard_ButServerPathsAndFilesDoNot()
    {
        using (var page = await GetAsync("/operations", "text/html"))
        {
            page.StatusCode.ShouldBe(HttpStatusCode.OK);
            page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        }
        using (var api = await GetAsync("/api/nothing-here", "text/html"))
        {
            api.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
        using (var method = await GetAsync("/api/publish", "text/html"))
        {
            method.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        }
        using (var file = await GetAsync("/missing.js"))
        {
            file.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task Assets_AreServedWithALongCache()
    {
        using var index = await GetAsync("/", "text/html");
        var html = await index.Content.ReadAsStringAsync();
        var script = System.Text.RegularExpressions.Regex.Match(html, "src=\"(/assets/[^\"]+\\.js)\"").Groups[1].Value;
        script.ShouldNotBeEmpty();
        using var response = await GetAsync(script);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/javascript");
        response.Headers.CacheControl!.ToString().ShouldContain("immutable");
    }

    [Fact]
    public async Task Connections_ListThisNodesConnectionsByUser()
    {
        await using var alice = await _server.ConnectUserAsync("alice", "acme");
        (await alice.RequestAsync("subscribe", "org:acme")).Type().ShouldBe("subscribed");
        await using var bob = await _server.ConnectUserAsync("bob", "acme");

        var all = await _server.GetJsonAsync("/api/connections");
        var users = all.GetProperty("connections").EnumerateArray().Select(c => c.GetProperty("user").GetString()).ToArray();
        users.ShouldBe(["alice", "bob"]);
        var one = await _server.GetJsonAsync("/api/connections?user=alice");
        var entry = one.GetProperty("connections").EnumerateArray().Single();
        entry.GetProperty("org").GetString().ShouldBe("acme");
        entry.GetProperty("transport").GetString().ShouldNotBeNullOrEmpty();
        entry.GetProperty("channels").EnumerateArray().Select(c => c.GetString()).ShouldBe(["org:acme"]);
        one.GetProperty("node").GetString().ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public async Task Connections_NeedTheAdminScope()
    {
        var (status, _) = await _server.SendAsync(HttpMethod.Get, "/api/connections", apiKey: TestServer.PublishKey);
        status.ShouldBe(HttpStatusCode.Forbidden);
        (status, _) = await _server.SendAsync(HttpMethod.Get, "/api/connections");
        status.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
