namespace Herald.Server.Tests;

/// <summary>Heartbeats: the server pings; a peer that answers stays, a silent one is closed with 3012.</summary>
public sealed class HeartbeatTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Heartbeat:IntervalSeconds"] = "0.2",
        ["Herald:Heartbeat:TimeoutSeconds"] = "0.5",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ClientThatAnswersPings_StaysConnected()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        for (var i = 0; i < 5; i++)
        {
            var ping = await client.ReceiveAsync(includePings: true);
            ping.GetRawText().ShouldBe("{\"type\":\"ping\"}");
            await client.SendTextAsync("{\"type\":\"pong\"}");
        }
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task SilentClient_IsClosedWithNoPong()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.ReceiveAsync(includePings: true)).Type().ShouldBe("ping");
        var disconnect = await client.ReceiveAsync();
        disconnect.Type().ShouldBe("disconnect");
        disconnect.Code().ShouldBe(3012);
        disconnect.GetProperty("reconnect").GetBoolean().ShouldBeTrue();
        ((int?)(await client.WaitForCloseAsync()).Status).ShouldBe(3012);
    }

    [Fact]
    public async Task ConnectedFrame_AnnouncesTheHeartbeat()
    {
        await using var client = await _server.ConnectAsync(TestTokens.Hs256("u_1", "acme"));
        var connected = await client.ReceiveAsync();
        connected.GetProperty("data").GetProperty("pingInterval").GetDouble().ShouldBe(0.2);
        connected.GetProperty("data").GetProperty("pongTimeout").GetDouble().ShouldBe(0.5);
    }
}
