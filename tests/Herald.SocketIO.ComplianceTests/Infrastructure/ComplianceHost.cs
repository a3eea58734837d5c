using Herald.SocketIO.ComplianceServer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Herald.SocketIO.ComplianceTests.Infrastructure;

/// <summary>
/// The compliance app (<see cref="ComplianceApplication"/>), started in-process on a loopback port
/// once per test class, with the suites' helpers: URLs, a long-polling session, a WebSocket.
/// </summary>
public sealed class ComplianceHost : IAsyncLifetime
{
    /// <summary>The suites' <c>PING_INTERVAL</c>.</summary>
    public const int PingInterval = 300;

    /// <summary>The suites' <c>PING_TIMEOUT</c>.</summary>
    public const int PingTimeout = 200;

    /// <summary>The record separator between packets of a long-polling payload.</summary>
    public const char Separator = '\x1e';

    private WebApplication _app = null!;

    public Uri BaseUri { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _app = ComplianceApplication.Build(["--urls", "http://127.0.0.1:0"]);
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await _app.StartAsync(cts.Token);
        }
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address);
        Http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(15) };
        await WarmUpAsync();
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }

    /// <summary>An HTTP URL (<c>/engine.io/?…</c>) relative to the server.</summary>
    public static string Url(string path, string query) => $"/{path}/?{query}";

    /// <summary>A WebSocket URL (<c>ws://…/socket.io/?…</c>).</summary>
    public Uri WebSocketUrl(string path, string query) => new($"ws://{BaseUri.Authority}/{path}/?{query}");

    public Task<HttpResponseMessage> GetAsync(string path, string query) => Http.GetAsync(Url(path, query));

    public Task<HttpResponseMessage> PostAsync(string path, string query, string? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Url(path, query));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "text/plain");
        }
        return Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string query) =>
        Http.SendAsync(new HttpRequestMessage(method, Url(path, query)));

    /// <summary>The suites' <c>initLongPollingSession</c>: a polling handshake, returning the sid.</summary>
    public async Task<string> InitLongPollingSessionAsync(string path)
    {
        using var response = await GetAsync(path, "EIO=4&transport=polling");
        var content = await response.Content.ReadAsStringAsync();
        using var handshake = JsonDocument.Parse(content[1..]);
        return handshake.RootElement.GetProperty("sid").GetString()!;
    }

    /// <summary>
    /// The suites' poll after <c>pingInterval + pingTimeout</c> of silence, which must get a 400:
    /// the session is gone. The one allowance is for a ping the server sent late (its heartbeat
    /// timer delayed on a loaded machine): the poll then takes that ping, and the client, still
    /// silent, polls on. A session that ends must then answer the ping's timeout with nothing but
    /// the close packet and a 400, within a generous bound: no message, no second ping.
    /// </summary>
    public async Task ShouldBeClosedForPingTimeoutAsync(string path, string sid)
    {
        var answers = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            using var response = await GetAsync(path, $"EIO=4&transport=polling&sid={sid}");
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                break;
            }
            var body = await response.Content.ReadAsStringAsync();
            answers.Add($"{(int)response.StatusCode} \"{body}\"");
            var late = string.Join(", ", answers);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"poll answers after the ping timeout: {late}");
            (answers.Count == 1 ? body == "2" : answers.Count == 2 && body == "1")
                .ShouldBeTrue($"after pingInterval + pingTimeout without a pong, a poll must get 400 (or, after a late ping, the close packet then 400); got {late}");
            (DateTime.UtcNow < deadline).ShouldBeTrue($"the session was not closed 10 s after the ping timeout; poll answers: {late}");
        }
    }

    /// <summary>Opens a WebSocket (the suites' <c>new WebSocket(url)</c> awaited until <c>open</c>).</summary>
    public Task<WebSocketConnection> OpenWebSocketAsync(string path, string query) =>
        WebSocketConnection.ConnectAsync(WebSocketUrl(path, query));

    /// <summary>
    /// Runs each code path once before the first case, so that JIT compilation does not eat into
    /// the 300/200 ms heartbeat of the first case that races against it.
    /// </summary>
    private async Task WarmUpAsync()
    {
        foreach (var path in new[] { "engine.io", "socket.io" })
        {
            var sid = await InitLongPollingSessionAsync(path);
            (await PostAsync(path, $"EIO=4&transport=polling&sid={sid}", "1")).Dispose();
            await using var socket = await OpenWebSocketAsync(path, "EIO=4&transport=websocket");
            await socket.ReceiveAsync();
            await socket.SendTextAsync(path == "socket.io" ? "40" : "4warm-up");
            await socket.ReceiveAsync();
            await using var upgrading = await OpenWebSocketAsync(path, $"EIO=4&transport=websocket&sid={await InitLongPollingSessionAsync(path)}");
            await upgrading.SendTextAsync("2probe");
            await upgrading.ReceiveAsync();
            await upgrading.SendTextAsync("5");
        }
    }
}
