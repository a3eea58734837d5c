using System.Net;

namespace Herald.Server.Tests;

/// <summary>
/// Tokens that expire on open connections, with lifetimes of seconds: WebSocket and Socket.IO are
/// warned (<c>token_expired</c>) and closed with 3005 when the grace passes without a refresh; a
/// refresh within the grace keeps them; SSE streams end at expiry.
/// </summary>
public sealed class ExpiryTests
{
    private static readonly Dictionary<string, string?> OneSecondGrace = new() { ["Herald:Auth:ExpiryGraceSeconds"] = "1" };

    private static string ShortToken(string user = "u1") => TestTokens.Hs256(user, "acme", TimeSpan.FromSeconds(2));

    [Fact]
    public async Task WebSocket_ExpiredToken_IsWarned_ThenClosedWith3005AfterTheGrace()
    {
        await using var server = await TestServer.StartAsync(OneSecondGrace);
        await using var client = await server.ConnectAsync(ShortToken());
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        var warning = await client.ReceiveUntilAsync(f => f.Type() == "token_expired");
        var disconnect = await client.ReceiveUntilAsync(f => f.Type() == "disconnect");
        var (status, _) = await client.WaitForCloseAsync();

        warning.Code().ShouldBe(109);
        warning.GetProperty("grace").GetInt32().ShouldBeInRange(0, 1);
        warning.Str("message").ShouldContain("refresh");
        disconnect.Code().ShouldBe(3005);
        ((int?)status).ShouldBe(3005);
    }

    [Fact]
    public async Task WebSocket_RefreshAfterTheWarning_KeepsTheConnectionAndItsSubscriptions()
    {
        await using var server = await TestServer.StartAsync(OneSecondGrace);
        await using var client = await server.ConnectAsync(ShortToken());
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        await client.ReceiveUntilAsync(f => f.Type() == "token_expired");

        var refreshed = await client.RequestAsync("refresh", extra: new { token = TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(1)) });
        refreshed.Type().ShouldBe("refreshed");
        // Longer than the grace: a connection that was not refreshed would be closed by now.
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        (await server.PublishAsync("org:acme", "tick", new { n = 1 })).EnsureSuccessStatusCode();
        var tick = await client.ReceiveUntilAsync(f => f.Type() is "tick" or "disconnect");
        tick.Type().ShouldBe("tick");
    }

    [Fact]
    public async Task SocketIO_ExpiredToken_IsWarnedWithAnEvent_ThenTheSessionEnds()
    {
        await using var server = await TestServer.StartAsync(OneSecondGrace);
        await using var client = await SocketIOTestClient.OpenAsync(server);
        (await client.ConnectNamespaceAsync(JsonSerializer.Serialize(new { token = ShortToken() }))).ShouldStartWith("40{");

        var warning = await client.ReceiveAsync();
        warning.ShouldStartWith("42[\"token_expired\"");
        var arguments = JsonDocument.Parse(warning[2..]).RootElement;
        arguments[1].Code().ShouldBe(109);
        arguments[1].GetProperty("grace").GetInt32().ShouldBeInRange(0, 1);

        await Should.ThrowAsync<InvalidOperationException>(async () =>
        {
            while (true)
            {
                await client.ReceiveAsync();
            }
        });
        client.IsOpen.ShouldBeFalse();
    }

    [Fact]
    public async Task SocketIO_RefreshAfterTheWarning_KeepsTheSession()
    {
        await using var server = await TestServer.StartAsync(OneSecondGrace);
        await using var client = await SocketIOTestClient.OpenAsync(server);
        (await client.ConnectNamespaceAsync(JsonSerializer.Serialize(new { token = ShortToken() }))).ShouldStartWith("40{");
        (await client.ReceiveAsync()).ShouldStartWith("42[\"token_expired\"");

        var ack = await client.EmitWithAckAsync("refresh", JsonSerializer.Serialize(new { token = TestTokens.Hs256("u1", "acme", TimeSpan.FromHours(1)) }));
        ack.GetProperty("ok").GetBoolean().ShouldBeTrue();
        await Task.Delay(TimeSpan.FromSeconds(2.5));

        client.IsOpen.ShouldBeTrue();
        (await client.EmitWithAckAsync("subscribe", """{"channel":"org:acme"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Sse_StreamEndsAtExpiry_WithDisconnect3005()
    {
        await using var server = await TestServer.StartAsync(OneSecondGrace);
        var (status, sse, body) = await SseClient.ConnectAsync(server.BaseUri, $"channel=org:acme&token={ShortToken()}");
        status.ShouldBe(HttpStatusCode.OK, body);
        await using var _ = sse!;
        (await sse!.ReceiveAsync()).Event.ShouldBe("subscribed");

        SseEvent last;
        do
        {
            last = await sse.ReceiveAsync();
        }
        while (last.Event != "disconnect");

        last.Json.Code().ShouldBe(3005);
    }
}
