using System.Net.WebSockets;
using System.Text;

namespace Herald.Server.Tests;

/// <summary>Bad input: every bad frame gets its documented error and the connection stays usable.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Limits:MaxFrameBytes"] = "4096",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<JsonElement> SendAndExpectError(WsClient client, string frame, int code)
    {
        await client.SendTextAsync(frame);
        var error = await client.ReceiveAsync();
        error.Type().ShouldBe("error");
        error.Code().ShouldBe(code);
        error.Str("message").ShouldNotBeNullOrWhiteSpace();
        // Only the request was bad: the connection still answers.
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
        return error;
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("{\"type\":\"subscribe\",")]
    [InlineData("[1,2,3]")]
    [InlineData("\"subscribe\"")]
    [InlineData("42")]
    [InlineData("")]
    [InlineData("{\"type\":\"ping\"}{\"type\":\"ping\"}")]
    [InlineData("{\"id\":\"x\"}")]
    [InlineData("{\"type\":7}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":{\"a\":1}}")]
    [InlineData("{\"type\":\"subscribe\",\"id\":1.5}")]
    [InlineData("{\"type\":\"subscribe\",\"channel\":[\"org:acme\"]}")]
    [InlineData("{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":[\"a\"]}")]
    [InlineData("{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":[1,2]}}")]
    [InlineData("{\"type\":\"publish\",\"channel\":\"org:acme\",\"tags\":{\"a\":1}}")]
    public async Task MalformedFrames_GetBadRequest(string frame)
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await SendAndExpectError(client, frame, 107);
    }

    [Fact]
    public async Task WrongFieldType_AnswersWithTheRequestId()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var error = await SendAndExpectError(client, "{\"type\":\"subscribe\",\"id\":\"s1\",\"channel\":12}", 107);
        error.Str("id").ShouldBe("s1");
        error.Str("message").ShouldContain("channel");
    }

    [Fact]
    public async Task UnknownType_GetsUnknownMessageType()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var error = await SendAndExpectError(client, "{\"type\":\"subscribe:workspace\",\"id\":\"u\"}", 104);
        error.Str("id").ShouldBe("u");
    }

    [Theory]
    [InlineData("org")]
    [InlineData("org:")]
    [InlineData(":acme")]
    [InlineData("org:acme/")]
    [InlineData("org:a//b")]
    [InlineData("org:ac me")]
    [InlineData("ORG:acme")]
    [InlineData("org:acme#1")]
    [InlineData("org:ácme")]
    public async Task BadChannelNames_GetInvalidChannel(string channel)
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var error = await client.SubscribeAsync(channel);
        error.Code().ShouldBe(114);
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task BinaryFrame_GetsBinaryNotSupported()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        await client.SendAsync([1, 2, 3], WebSocketMessageType.Binary);
        (await client.ReceiveAsync()).Code().ShouldBe(110);
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task OversizedFrame_IsDiscardedWithMessageTooLarge()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        var huge = "{\"type\":\"ping\",\"id\":\"big\",\"pad\":\"" + new string('x', 20_000) + "\"}";
        await client.SendTextAsync(huge);
        var error = await client.ReceiveAsync();
        error.Code().ShouldBe(115);
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task FragmentedMessage_IsReassembled()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await client.Socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"ping\","), WebSocketMessageType.Text, false, cts.Token);
        await client.Socket.SendAsync(Encoding.UTF8.GetBytes("\"id\":\"frag\"}"), WebSocketMessageType.Text, true, cts.Token);
        var pong = await client.ReceiveAsync();
        pong.Type().ShouldBe("pong");
        pong.Str("id").ShouldBe("frag");
    }

    [Fact]
    public async Task InvalidUtf8_GetsBadRequest()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        // A text frame with invalid UTF-8: the WebSocket layer may close with 1007, or the codec answers 107. Either way nothing else breaks.
        await client.Socket.SendAsync(new byte[] { (byte)'{', 0xC3, 0x28, (byte)'}' }, WebSocketMessageType.Text, true, cts.Token);
        await using var other = await _server.ConnectUserAsync("u_2", "acme");
        (await other.RequestAsync("ping")).Type().ShouldBe("pong");
    }

    [Fact]
    public async Task BadInputFromOneClient_DoesNotDisturbAnother()
    {
        await using var good = await _server.ConnectUserAsync("u_1", "acme");
        await using var bad = await _server.ConnectUserAsync("u_2", "acme");
        await good.SubscribeAsync("org:acme");
        for (var i = 0; i < 20; i++)
        {
            await bad.SendTextAsync("{\"type\":");
        }
        (await _server.PublishAsync("org:acme", "still.here", new { })).EnsureSuccessStatusCode();
        (await good.ReceiveAsync()).Type().ShouldBe("still.here");
    }
}
