using System.Text;
using System.Text.Json;
using Herald.Messages;

namespace Herald.Protocol.Tests;

/// <summary>The server's answers: shapes of the frames <see cref="NativeCodec"/> writes.</summary>
public sealed partial class NativeCodecTests
{
    private static JsonElement Json(byte[] frame)
    {
        using var doc = JsonDocument.Parse(frame);
        return doc.RootElement.Clone();
    }

    private static string[] Names(JsonElement element) => element.EnumerateObject().Select(p => p.Name).ToArray();

    [Fact]
    public void Error_HasTypeIdCodeAndMessage()
    {
        var frame = NativeCodec.Error("\"req-1\""u8.ToArray(), new HeraldError(HeraldErrorCode.PermissionDenied, "permission denied for channel 'org:globex'"));

        var json = Json(frame);
        json.GetProperty("type").GetString().ShouldBe("error");
        json.GetProperty("id").GetString().ShouldBe("req-1");
        json.GetProperty("code").GetInt32().ShouldBe(103);
        json.GetProperty("message").GetString().ShouldBe("permission denied for channel 'org:globex'");
        Encoding.UTF8.GetString(frame).ShouldContain("\"id\":\"req-1\"");
    }

    [Fact]
    public void Error_WithoutId_HasNoIdField()
    {
        var json = Json(NativeCodec.Error(null, HeraldError.BadRequest("frame must be a JSON object")));

        json.TryGetProperty("id", out _).ShouldBeFalse();
        json.GetProperty("code").GetInt32().ShouldBe(107);
    }

    [Fact]
    public void Error_MessageWithQuotesAndControlCharacters_IsEscaped()
    {
        var json = Json(NativeCodec.Error(null, HeraldError.BadRequest("bad \"value\"\n\u0001 <script>")));

        json.GetProperty("message").GetString().ShouldBe("bad \"value\"\n\u0001 <script>");
    }

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("42")]
    [InlineData("-7")]
    [InlineData("\"é日本\"")]
    public void Replies_EchoTheIdBytesVerbatim(string id)
    {
        var raw = Encoding.UTF8.GetBytes(id);
        var expected = $"\"id\":{id}";

        Encoding.UTF8.GetString(NativeCodec.Pong(raw)).ShouldContain(expected);
        Encoding.UTF8.GetString(NativeCodec.Error(raw, HeraldError.BadRequest("x"))).ShouldContain(expected);
        Encoding.UTF8.GetString(NativeCodec.ChannelReply("subscribed", raw, "org:acme")).ShouldContain(expected);
        Encoding.UTF8.GetString(NativeCodec.Connected(raw, "c", "u", "o", 25, 10)).ShouldContain(expected);
    }

    [Fact]
    public void TryParse_ThenReply_EchoesTheRequestIdUnchanged()
    {
        NativeCodec.TryParse("""{"type":"ping","id":"abc-123"}"""u8.ToArray(), out var request, out _).ShouldBeTrue();

        Encoding.UTF8.GetString(NativeCodec.Pong(request.Id)).ShouldBe("""{"type":"pong","id":"abc-123"}""");
    }

    [Fact]
    public void Pong_WithAndWithoutId()
    {
        Encoding.UTF8.GetString(NativeCodec.Pong("7"u8.ToArray())).ShouldBe("""{"type":"pong","id":7}""");
        Encoding.UTF8.GetString(NativeCodec.Pong(null)).ShouldBe("""{"type":"pong"}""");
    }

    [Fact]
    public void Ping_IsTheServerHeartbeatFrame()
    {
        Encoding.UTF8.GetString(NativeCodec.Ping.Span).ShouldBe("""{"type":"ping"}""");
    }

    [Theory]
    [InlineData("subscribed")]
    [InlineData("unsubscribed")]
    [InlineData("filter_updated")]
    public void ChannelReply_HasTypeIdAndChannel(string type)
    {
        var json = Json(NativeCodec.ChannelReply(type, "\"s1\""u8.ToArray(), "workspace:acme/ws_12"));

        Names(json).ShouldBe(["type", "id", "channel"]);
        json.GetProperty("type").GetString().ShouldBe(type);
        json.GetProperty("id").GetString().ShouldBe("s1");
        json.GetProperty("channel").GetString().ShouldBe("workspace:acme/ws_12");
    }

    [Fact]
    public void ChannelReply_WithoutId_HasNoIdField()
    {
        var json = Json(NativeCodec.ChannelReply("unsubscribed", null, "org:acme"));

        Names(json).ShouldBe(["type", "channel"]);
    }

    [Fact]
    public void Connected_HasClientUserOrgAndHeartbeatSettingsInData()
    {
        var json = Json(NativeCodec.Connected("\"c1\""u8.ToArray(), "client_1", "u_1", "acme", 25, 10.5));

        json.GetProperty("type").GetString().ShouldBe("connected");
        json.GetProperty("id").GetString().ShouldBe("c1");
        var data = json.GetProperty("data");
        data.GetProperty("client").GetString().ShouldBe("client_1");
        data.GetProperty("user").GetString().ShouldBe("u_1");
        data.GetProperty("org").GetString().ShouldBe("acme");
        data.GetProperty("pingInterval").GetDouble().ShouldBe(25);
        data.GetProperty("pongTimeout").GetDouble().ShouldBe(10.5);
    }

    [Fact]
    public void Published_HasChannelAndPublicationId()
    {
        var publication = new Publication { Id = "pub_1", Channel = "chat:acme", Type = "chat.message", Data = "{}"u8.ToArray(), Timestamp = 0 };

        var json = Json(NativeCodec.Published("9"u8.ToArray(), publication));

        json.GetProperty("type").GetString().ShouldBe("published");
        json.GetProperty("id").GetInt32().ShouldBe(9);
        json.GetProperty("channel").GetString().ShouldBe("chat:acme");
        json.GetProperty("data").GetProperty("publicationId").GetString().ShouldBe("pub_1");
    }

    [Theory]
    [InlineData(DisconnectCode.Shutdown, "shutdown", true)]
    [InlineData(DisconnectCode.SlowConsumer, "slow consumer", true)]
    [InlineData(DisconnectCode.TooManyRequests, "too many requests", true)]
    [InlineData(DisconnectCode.NoPong, "no pong", true)]
    [InlineData(DisconnectCode.TokenExpired, "token expired", true)]
    [InlineData(DisconnectCode.InvalidToken, "invalid token", false)]
    [InlineData(DisconnectCode.ConnectionLimit, "connection limit", false)]
    [InlineData(DisconnectCode.HandshakeTimeout, "handshake timeout", false)]
    [InlineData(DisconnectCode.ForceDisconnect, "force disconnect", false)]
    public void Disconnect_HasCodeReasonAndReconnect(DisconnectCode code, string reason, bool reconnect)
    {
        var json = Json(NativeCodec.Disconnect(code));

        Names(json).ShouldBe(["type", "code", "reason", "reconnect"]);
        json.GetProperty("type").GetString().ShouldBe("disconnect");
        json.GetProperty("code").GetInt32().ShouldBe((int)code);
        json.GetProperty("reason").GetString().ShouldBe(reason);
        json.GetProperty("reconnect").GetBoolean().ShouldBe(reconnect);
    }

    [Fact]
    public void Disconnect_ReconnectIsTrueFor3001And3008_FalseFor3500()
    {
        Json(NativeCodec.Disconnect((DisconnectCode)3001)).GetProperty("reconnect").GetBoolean().ShouldBeTrue();
        Json(NativeCodec.Disconnect((DisconnectCode)3008)).GetProperty("reconnect").GetBoolean().ShouldBeTrue();
        Json(NativeCodec.Disconnect((DisconnectCode)3500)).GetProperty("reconnect").GetBoolean().ShouldBeFalse();
    }

    [Fact]
    public void Replies_AreIndependentArrays()
    {
        var first = NativeCodec.Pong("1"u8.ToArray());
        var copy = first.ToArray();

        var second = NativeCodec.Pong("2"u8.ToArray());

        first.ShouldBe(copy);
        ReferenceEquals(first, second).ShouldBeFalse();
    }

    [Fact]
    public void ToText_DecodesUtf8()
    {
        NativeCodec.ToText("{\"a\":\"é\"}"u8.ToArray()).ShouldBe("{\"a\":\"é\"}");
    }
}
