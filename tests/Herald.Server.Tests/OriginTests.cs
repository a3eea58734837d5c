using System.Net;
using System.Net.WebSockets;

namespace Herald.Server.Tests;

/// <summary>The origin allow-list is checked before the WebSocket upgrade, and drives CORS.</summary>
public sealed class OriginTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AllowedOrigin_MayConnect()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"), origin: TestServer.AllowedOrigin);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task NoOriginHeader_IsANonBrowserClient_AndMayConnect()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"));
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task SameOrigin_MayConnect()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"), origin: $"http://{_server.BaseUri.Authority}");
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
    }

    [Fact]
    public async Task ForeignOrigin_IsRefusedBeforeTheUpgrade()
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", "https://evil.example.net");
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await Should.ThrowAsync<WebSocketException>(() => socket.ConnectAsync(_server.WebSocketUri("token=" + TestTokens.Hs256("u_1", "acme")), cts.Token));
        socket.HttpStatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await _server.GetJsonAsync("/api/stats")).GetProperty("connections").GetInt64().ShouldBe(0);
    }

    [Fact]
    public async Task CorsPreflight_AllowsListedOriginsOnly()
    {
        foreach (var (origin, allowed) in new[] { (TestServer.AllowedOrigin, true), ("https://evil.example.net", false) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/api/publish");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type,x-api-key");
            using var response = await _server.Http.SendAsync(request);
            response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values).ShouldBe(allowed);
            if (allowed)
            {
                values!.Single().ShouldBe(origin);
            }
        }
    }

    [Fact]
    public async Task PlainHttpToTheWebSocketEndpoint_GetsBadRequest()
    {
        using var response = await _server.Http.GetAsync("/ws");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }
}
