namespace Herald.SocketIO.ComplianceTests;

/// <summary>
/// The official Socket.IO protocol test suite (github.com/socketio/socket.io-protocol,
/// test-suite/test-suite.js, 32 cases), ported case by case against the server at
/// <c>/socket.io/</c>: the Engine.IO cases it repeats there, then the Socket.IO ones.
/// </summary>
public sealed class SocketIOComplianceTests(ComplianceHost server) : IClassFixture<ComplianceHost>
{
    private const string Path = "socket.io";

    private static string Session(string sid) => $"EIO=4&transport=polling&sid={sid}";

    private Task<WebSocketConnection> OpenAsync() => server.OpenWebSocketAsync(Path, "EIO=4&transport=websocket");

    /// <summary>The suite's <c>initSocketIOConnection</c>: Engine.IO handshake, <c>40</c>, the CONNECT answer, the <c>auth</c> event.</summary>
    private async Task<WebSocketConnection> InitSocketIOConnectionAsync()
    {
        var socket = await OpenAsync();
        try
        {
            (await socket.ReceiveTextAsync()).ShouldStartWith("0"); // Engine.IO handshake
            await socket.SendTextAsync("40");
            (await socket.ReceiveTextAsync()).ShouldStartWith("40"); // Socket.IO handshake
            (await socket.ReceiveAsync()).ShouldBeText("42[\"auth\",{}]"); // "auth" packet
            return socket;
        }
        catch
        {
            await socket.DisposeAsync();
            throw;
        }
    }

    // describe("Engine.IO protocol") / describe("handshake") / describe("HTTP long-polling")

    [Fact]
    public async Task EngineIO_handshake_polling_should_successfully_open_a_session()
    {
        using var response = await server.GetAsync(Path, "EIO=4&transport=polling");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldBeOpenPacket("websocket");
    }

    [Fact]
    public async Task EngineIO_handshake_polling_should_fail_with_an_invalid_EIO_query_parameter()
    {
        using var response = await server.GetAsync(Path, "transport=polling");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.GetAsync(Path, "EIO=abc&transport=polling");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EngineIO_handshake_polling_should_fail_with_an_invalid_transport_query_parameter()
    {
        using var response = await server.GetAsync(Path, "EIO=4");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.GetAsync(Path, "EIO=4&transport=abc");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EngineIO_handshake_polling_should_fail_with_an_invalid_request_method()
    {
        using var response = await server.SendAsync(HttpMethod.Post, Path, "EIO=4&transport=polling");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        using var response2 = await server.SendAsync(HttpMethod.Put, Path, "EIO=4&transport=polling");
        response2.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    // describe("Engine.IO protocol") / describe("handshake") / describe("WebSocket")

    [Fact]
    public async Task EngineIO_handshake_websocket_should_successfully_open_a_session()
    {
        await using var socket = await OpenAsync();

        (await socket.ReceiveTextAsync()).ShouldBeOpenPacket();
    }

    [Fact]
    public async Task EngineIO_handshake_websocket_should_fail_with_an_invalid_EIO_query_parameter()
    {
        // The suite waits for "close": the handshake is refused, the socket never opens.
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "transport=websocket"))).ShouldBe(HttpStatusCode.BadRequest);
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=abc&transport=websocket"))).ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EngineIO_handshake_websocket_should_fail_with_an_invalid_transport_query_parameter()
    {
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=4"))).ShouldBe(HttpStatusCode.BadRequest);
        (await WebSocketConnection.ConnectRefusedAsync(server.WebSocketUrl(Path, "EIO=4&transport=abc"))).ShouldBe(HttpStatusCode.BadRequest);
    }

    // describe("Engine.IO protocol") / describe("heartbeat")

    [Fact]
    public async Task EngineIO_heartbeat_polling_should_send_ping_pong_packets()
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
    public async Task EngineIO_heartbeat_polling_should_close_the_session_upon_ping_timeout()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);

        await Task.Delay(ComplianceHost.PingInterval + ComplianceHost.PingTimeout);

        await server.ShouldBeClosedForPingTimeoutAsync(Path, sid);
    }

    [Fact]
    public async Task EngineIO_heartbeat_websocket_should_send_ping_pong_packets()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // handshake

        for (var i = 0; i < 3; i++)
        {
            (await socket.ReceiveAsync()).ShouldBeText("2");
            await socket.SendTextAsync("3");
        }
    }

    [Fact]
    public async Task EngineIO_heartbeat_websocket_should_close_the_session_upon_ping_timeout()
    {
        await using var socket = await OpenAsync();

        await socket.WaitForCloseAsync();
    }

    // describe("Engine.IO protocol") / describe("close")

    [Fact]
    public async Task EngineIO_close_polling_should_forcefully_close_the_session()
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
    public async Task EngineIO_close_websocket_should_forcefully_close_the_session()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // handshake

        await socket.SendTextAsync("1");

        await socket.WaitForCloseAsync();
    }

    // describe("Engine.IO protocol") / describe("upgrade")

    [Fact]
    public async Task EngineIO_upgrade_should_successfully_upgrade_from_HTTP_long_polling_to_WebSocket()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");

        await socket.SendTextAsync("2probe");
        (await socket.ReceiveAsync()).ShouldBeText("3probe");

        await socket.SendTextAsync("5"); // complete upgrade
    }

    [Fact]
    public async Task EngineIO_upgrade_should_ignore_HTTP_requests_with_same_sid_after_upgrade()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");
        // The suite never reads the 3probe answer; waiting for it lets the server handle the 5
        // before the GET races it.
        (await socket.ReceiveAsync()).ShouldBeText("3probe");

        using var pollResponse = await server.GetAsync(Path, Session(sid));
        pollResponse.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task EngineIO_upgrade_should_ignore_WebSocket_connection_with_same_sid_after_upgrade()
    {
        var sid = await server.InitLongPollingSessionAsync(Path);
        await using var socket = await server.OpenWebSocketAsync(Path, $"EIO=4&transport=websocket&sid={sid}");
        await socket.SendTextAsync("2probe");
        await socket.SendTextAsync("5");
        (await socket.ReceiveAsync()).ShouldBeText("3probe"); // see above

        await WebSocketConnection.ConnectAndWaitForCloseAsync(server.WebSocketUrl(Path, $"EIO=4&transport=websocket&sid={sid}"));
    }

    // describe("Socket.IO protocol") / describe("connect")

    [Fact]
    public async Task SocketIO_connect_should_allow_connection_to_the_main_namespace()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("40");

        var data = await socket.ReceiveTextAsync();
        data.ShouldStartWith("40");
        data[2..].ShouldBeConnectPayload();

        (await socket.ReceiveAsync()).ShouldBeText("42[\"auth\",{}]");
    }

    [Fact]
    public async Task SocketIO_connect_should_allow_connection_to_the_main_namespace_with_a_payload()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("40{\"token\":\"123\"}");

        var data = await socket.ReceiveTextAsync();
        data.ShouldStartWith("40");
        data[2..].ShouldBeConnectPayload();

        (await socket.ReceiveAsync()).ShouldBeText("42[\"auth\",{\"token\":\"123\"}]");
    }

    [Fact]
    public async Task SocketIO_connect_should_allow_connection_to_a_custom_namespace()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("40/custom,");

        var data = await socket.ReceiveTextAsync();
        data.ShouldStartWith("40/custom,");
        data[10..].ShouldBeConnectPayload();

        (await socket.ReceiveAsync()).ShouldBeText("42/custom,[\"auth\",{}]");
    }

    [Fact]
    public async Task SocketIO_connect_should_allow_connection_to_a_custom_namespace_with_a_payload()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("40/custom,{\"token\":\"abc\"}");

        var data = await socket.ReceiveTextAsync();
        data.ShouldStartWith("40/custom,");
        data[10..].ShouldBeConnectPayload();

        (await socket.ReceiveAsync()).ShouldBeText("42/custom,[\"auth\",{\"token\":\"abc\"}]");
    }

    [Fact]
    public async Task SocketIO_connect_should_disallow_connection_to_an_unknown_namespace()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("40/random");

        (await socket.ReceiveAsync()).ShouldBeText("44/random,{\"message\":\"Invalid namespace\"}");
    }

    [Fact]
    public async Task SocketIO_connect_should_disallow_connection_with_an_invalid_handshake()
    {
        await using var socket = await OpenAsync();
        await socket.ReceiveAsync(); // Engine.IO handshake

        await socket.SendTextAsync("4abc");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task SocketIO_connect_should_close_the_connection_if_no_handshake_is_received()
    {
        await using var socket = await OpenAsync();

        await socket.WaitForCloseAsync();
    }

    // describe("Socket.IO protocol") / describe("disconnect")

    [Fact]
    public async Task SocketIO_disconnect_should_disconnect_from_the_main_namespace()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("41");

        (await socket.ReceiveAsync()).ShouldBeText("2");
    }

    [Fact]
    public async Task SocketIO_disconnect_should_connect_then_disconnect_from_a_custom_namespace()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.ReceiveAsync(); // ping

        await socket.SendTextAsync("40/custom");

        await socket.ReceiveAsync(); // Socket.IO handshake
        await socket.ReceiveAsync(); // auth packet

        await socket.SendTextAsync("41/custom");
        await socket.SendTextAsync("42[\"message\",\"message to main namespace\"]");

        (await socket.ReceiveAsync()).ShouldBeText("42[\"message-back\",\"message to main namespace\"]");
    }

    // describe("Socket.IO protocol") / describe("message")

    [Fact]
    public async Task SocketIO_message_should_send_a_plain_text_packet()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("42[\"message\",1,\"2\",{\"3\":[true]}]");

        (await socket.ReceiveAsync()).ShouldBeText("42[\"message-back\",1,\"2\",{\"3\":[true]}]");
    }

    [Fact]
    public async Task SocketIO_message_should_send_a_packet_with_binary_attachments()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("452-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        await socket.SendBinaryAsync(1, 2, 3);
        await socket.SendBinaryAsync(4, 5, 6);

        var packets = await socket.ReceivePacketsAsync(3);

        packets[0].ShouldBeText("452-[\"message-back\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        packets[1].ShouldBeBinary(1, 2, 3);
        packets[2].ShouldBeBinary(4, 5, 6);
    }

    [Fact]
    public async Task SocketIO_message_should_send_a_plain_text_packet_with_an_ack()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("42456[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        (await socket.ReceiveAsync()).ShouldBeText("43456[1,\"2\",{\"3\":[false]}]");
    }

    [Fact]
    public async Task SocketIO_message_should_send_a_packet_with_binary_attachments_and_an_ack()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("452-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        await socket.SendBinaryAsync(1, 2, 3);
        await socket.SendBinaryAsync(4, 5, 6);

        var packets = await socket.ReceivePacketsAsync(3);

        packets[0].ShouldBeText("462-789[{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
        packets[1].ShouldBeBinary(1, 2, 3);
        packets[2].ShouldBeBinary(4, 5, 6);
    }

    [Fact]
    public async Task SocketIO_message_should_close_the_connection_upon_invalid_format_unknown_packet_type()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("4abc");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task SocketIO_message_should_close_the_connection_upon_invalid_format_invalid_payload_format()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("42{}");

        await socket.WaitForCloseAsync();
    }

    [Fact]
    public async Task SocketIO_message_should_close_the_connection_upon_invalid_format_invalid_ack_id()
    {
        await using var socket = await InitSocketIOConnectionAsync();

        await socket.SendTextAsync("42abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]");

        await socket.WaitForCloseAsync();
    }
}
