namespace Herald.SocketIO.ComplianceTests;

/// <summary>
/// The official Engine.IO protocol test suite (github.com/socketio/engine.io-protocol,
/// test-suite/test-suite.js, 24 cases), ported case by case against the echo server at
/// <c>/engine.io/</c>: same requests, same order, same assertions.
/// </summary>
public sealed class EngineIOComplianceTests(ComplianceHost server) : IClassFixture<ComplianceHost>
{
    private const string Path = "engine.io";

    private static string Session(string sid) => $"EIO=4&transport=polling&sid={sid}";

    // describe("handshake") / describe("HTTP long-polling")

    [Fact]
    public async Task Handshake_polling_successfully_opens_a_session()
    {
        using var response = await server.GetAsync(Path, "EIO=4&transport=polling");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBeOpenPacket("websocket");
    }

    [Fact]
    public async Task Handshake_polling_fails_with_an_invalid_EIO_query_parameter()
    {
        using var response = await server.GetAsync(Path, "transport=polling");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.GetAsync(Path, "EIO=abc&transport=polling");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Handshake_polling_fails_with_an_invalid_transport_query_parameter()
    {
        using var response = await server.GetAsync(Path, "EIO=4");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.GetAsync(Path, "EIO=4&transport=abc");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Handshake_polling_fails_with_an_invalid_request_method()
    {
        using var response = await server.SendAsync(HttpMethod.Post, Path, "EIO=4&transport=polling");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.SendAsync(HttpMethod.Put, Path, "EIO=4&transport=polling");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    // describe("handshake") / describe("WebSocket")

    [Fact]
    public async Task Handshake_websocket_successfully_opens_a_session()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");

        (await socket.ReceiveTextAsync()).ShouldBeOpenPacket();
    }

    [Fact]
    public async Task Handshake_websocket_fails_with_an_invalid_EIO_query_parameter()
    {
        // The suite waits for "close": the handshake is refused, the socket never opens.
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "transport=websocket"))).ShouldBe(HttpStatusCode.BadRequest);
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=abc&transport=websocket"))).ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Handshake_websocket_fails_with_an_invalid_transport_query_parameter()
    {
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=4"))).ShouldBe(HttpStatusCode.BadRequest);
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=4&transport=abc"))).ShouldBe(HttpStatusCode.BadRequest);
    }

    // describe("message") / describe("HTTP long-polling")

    [Fact]
    public async Task Message_polling_sends_and_receives_a_payload_containing_one_plain_text_packet()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        using var pushResponse = await server.PostAsync(Path, Session(sid), "4hello");
        pushResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pushResponse.Content.ReadAsStringAsync()).ShouldBe("ok");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("4hello");
    }

    [Fact]
    public async Task Message_polling_sends_and_receives_a_payload_containing_several_plain_text_packets()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        using var pushResponse = await server.PostAsync(Path, Session(sid), "4test1\x1e4test2\x1e4test3");
        pushResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pushResponse.Content.ReadAsStringAsync()).ShouldBe("ok");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("4test1\x1e4test2\x1e4test3");
    }

    [Fact]
    public async Task Message_polling_sends_and_receives_a_payload_containing_plain_text_and_binary_packets()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        using var pushResponse = await server.PostAsync(Path, Session(sid), "4hello\x1ebAQIDBA==");
        pushResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pushResponse.Content.ReadAsStringAsync()).ShouldBe("ok");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("4hello\x1ebAQIDBA==");
    }

    [Fact]
    public async Task Message_polling_closes_the_session_upon_invalid_packet_format()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        try
        {
            using var pushResponse = await server.PostAsync(Path, Session(sid), "abc");
            pushResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }
        catch (HttpRequestException)
        {
            // As in the suite: a client may see the request closed abnormally instead.
        }

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Message_polling_closes_the_session_upon_duplicate_poll_requests()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        // The suite sends the second GET 5 ms after the first, only to order them; a loaded
        // machine needs more to keep that order (still far below the 300 ms ping interval).
        var first = server.GetAsync(Path, Session(sid));
        await Task.Delay(50);
        var second = server.GetAsync(Path, Session(sid) + "&t=burst");
        using var firstResponse = await first;
        using var secondResponse = await second;

        firstResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await firstResponse.Content.ReadAsStringAsync()).ShouldBe("1");
        // The Node.js implementation answers 500, but 400 seems more suitable: either passes.
        ((int)secondResponse.StatusCode).ShouldBeOneOf(400, 500);

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    // describe("message") / describe("WebSocket")

    [Fact]
    public async Task Message_websocket_sends_and_receives_a_plain_text_packet()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");
        await socket.ReceiveAsync(); // handshake

        await socket.SendTextAsync("4hello");

        (await socket.ReceiveAsync()).ShouldBeText("4hello");
    }

    [Fact]
    public async Task Message_websocket_sends_and_receives_a_binary_packet()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");
        await socket.ReceiveAsync(); // handshake

        await socket.SendBinaryAsync(1, 2, 3, 4);

        (await socket.ReceiveAsync()).ShouldBeBinary(1, 2, 3, 4);
    }

    [Fact]
    public async Task Message_websocket_closes_the_session_upon_invalid_packet_format()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");
        await socket.ReceiveAsync(); // handshake

        await socket.SendTextAsync("abc");

        await socket.WaitForCloseAsync();
    }

    // describe("heartbeat") / describe("HTTP long-polling")

    [Fact]
    public async Task Heartbeat_polling_sends_ping_pong_packets()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        for (var i = 0; i < 3; i++)
        {
            using var pollResponse = await server.GetAsync(Path, Session(sid));
            pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("2");

            using var pushResponse = await server.PostAsync(Path, Session(sid), "3");
            pushResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task Heartbeat_polling_closes_the_session_upon_ping_timeout()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        await Task.Delay(ComplianceHost.PingInterval + ComplianceHost.PingTimeout);

        await server.ShouldBeClosedForPingTimeoutAsync(Path, sid);
    }

    // describe("heartbeat") / describe("WebSocket")

    [Fact]
    public async Task Heartbeat_websocket_sends_ping_pong_packets()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");
        await socket.ReceiveAsync(); // handshake

        for (var i = 0; i < 3; i++)
        {
            (await socket.ReceiveAsync()).ShouldBeText("2");
            await socket.SendTextAsync("3");
        }
    }

    [Fact]
    public async Task Heartbeat_websocket_closes_the_session_upon_ping_timeout()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");

        await socket.WaitForCloseAsync();
    }

    // describe("close")

    [Fact]
    public async Task Close_polling_forcefully_closes_the_session()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        // The suite fires both requests at once, the GET first; a short delay keeps that order.
        var poll = server.GetAsync(Path, Session(sid));
        await Task.Delay(50);
        var push = server.PostAsync(Path, Session(sid), "1");
        using var pollResponse = await poll;
        (await push).Dispose();

        pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("6");

        using var pollResponse2 = await server.GetAsync(Path, Session(sid));
        pollResponse2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Close_websocket_forcefully_closes_the_session()
    {
        await using var socket = await server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");
        await socket.ReceiveAsync(); // handshake

        await socket.SendTextAsync("1");

        await socket.WaitForCloseAsync();
    }

    // describe("upgrade")

    [Fact]
    public async Task Upgrade_successfully_upgrades_from_HTTP_long_polling_to_WebSocket()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");

        await socket.SendTextAsync("2probe");
        (await socket.ReceiveAsync()).ShouldBeText("3probe");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await pollResponse.Content.ReadAsStringAsync()).ShouldBe("6"); // noop, to end the long-polling request cleanly

        await socket.SendTextAsync("5");
        await socket.SendTextAsync("4hello");

        (await socket.ReceiveAsync()).ShouldBeText("4hello");
    }

    [Fact]
    public async Task Upgrade_ignores_HTTP_requests_with_same_sid_after_upgrade()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");
        // The suite's listener misses the 3probe answer (it is registered later); the queue keeps
        // it. Taking it first also lets the server handle the 5 before the GET races it.
        (await socket.ReceiveAsync()).ShouldBeText("3probe");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        await socket.SendTextAsync("4hello");
        (await socket.ReceiveAsync()).ShouldBeText("4hello");
    }

    [Fact]
    public async Task Upgrade_ignores_WebSocket_connection_with_same_sid_after_upgrade()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");
        (await socket.ReceiveAsync()).ShouldBeText("3probe"); // kept by the queue, see above

        await WebSocketConnection.ConnectAndWaitForCloseAsync(server.WebSocketUrl(Path, $"EIO=4&transport=websocket&sid={sid}"));

        await socket.SendTextAsync("4hello");
        (await socket.ReceiveAsync()).ShouldBeText("4hello");
    }
}
