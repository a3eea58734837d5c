using System.Buffers;
using System.Text.Json;
using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Server → client packets, byte for byte, and their round trip through the decoder.</summary>
public sealed class SocketIOCodecEncodeTests
{
    private static SocketIOPacket RoundTrip(EngineIOFrame frame)
    {
        var message = EngineIOCodec.DecodeText(frame.Bytes).Value;
        message.Type.ShouldBe(EngineIOPacketType.Message);
        return SocketIOCodec.Decode(message.Data).Value;
    }

    private static readonly byte[] TwoPlaceholders = Of("""[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");

    // ---- CONNECT / CONNECT_ERROR / DISCONNECT ------------------------------------------------

    [Fact]
    public void Connect_MainNamespace() =>
        Text(SocketIOCodec.EncodeConnect("/", "wZX3oN0bSVIhsaknAAAI")).ShouldBe("""40{"sid":"wZX3oN0bSVIhsaknAAAI"}""");

    [Fact]
    public void Connect_CustomNamespace() =>
        Text(SocketIOCodec.EncodeConnect("/custom", "-G5j-67EZFp-q59rADQM")).ShouldBe("""40/custom,{"sid":"-G5j-67EZFp-q59rADQM"}""");

    [Fact]
    public void Connect_RoundTrips()
    {
        var packet = RoundTrip(SocketIOCodec.EncodeConnect("/admin", "s\"1"));

        packet.Type.ShouldBe(SocketIOPacketType.Connect);
        packet.Namespace.ShouldBe("/admin");
        JsonDocument.Parse(packet.Payload).RootElement.GetProperty("sid").GetString().ShouldBe("s\"1");
    }

    [Fact]
    public void ConnectError_ComplianceSuite_InvalidNamespace() =>
        Text(SocketIOCodec.EncodeConnectError("/random", "Invalid namespace")).ShouldBe("""44/random,{"message":"Invalid namespace"}""");

    [Fact]
    public void ConnectError_WithData_EmbedsItVerbatim() =>
        Text(SocketIOCodec.EncodeConnectError("/", "Not authorized", Of("""{"code":101, "reason":"token expired"}""")))
            .ShouldBe("""44{"message":"Not authorized","data":{"code":101, "reason":"token expired"}}""");

    [Fact]
    public void ConnectError_RoundTrips()
    {
        var packet = RoundTrip(SocketIOCodec.EncodeConnectError("/admin", "no", Of("""{"a":1}""")));

        packet.Type.ShouldBe(SocketIOPacketType.ConnectError);
        packet.Namespace.ShouldBe("/admin");
        Text(packet.Payload).ShouldBe("""{"message":"no","data":{"a":1}}""");
    }

    [Theory]
    [InlineData("/", "41")]
    [InlineData("/admin", "41/admin,")]
    public void Disconnect(string @namespace, string expected)
    {
        var frame = SocketIOCodec.EncodeDisconnect(@namespace);

        Text(frame).ShouldBe(expected);
        RoundTrip(frame).Namespace.ShouldBe(@namespace);
    }

    // ---- EVENT / ACK -------------------------------------------------------------------------

    [Fact]
    public void Event_SampleSession() =>
        Text(SocketIOCodec.EncodeEvent("/", "hey", Of("""["Jude"]"""))).ShouldBe("""42["hey","Jude"]""");

    [Fact]
    public void Event_NoArguments() =>
        Text(SocketIOCodec.EncodeEvent("/", "hello", Of("[]"))).ShouldBe("""42["hello"]""");

    [Fact]
    public void Event_ComplianceSuite_AuthInCustomNamespace() =>
        Text(SocketIOCodec.EncodeEvent("/custom", "auth", Of("""[{"token":"abc"}]"""))).ShouldBe("""42/custom,["auth",{"token":"abc"}]""");

    [Fact]
    public void Event_ComplianceSuite_MessageBack() =>
        Text(SocketIOCodec.EncodeEvent("/", "message-back", Of("""[1,"2",{"3":[true]}]"""))).ShouldBe("""42["message-back",1,"2",{"3":[true]}]""");

    [Fact]
    public void Event_WithAckId() =>
        Text(SocketIOCodec.EncodeEvent("/", "foo", Of("[]"), ackId: 12)).ShouldBe("""4212["foo"]""");

    [Fact]
    public void Event_CustomNamespaceWithAckId() =>
        Text(SocketIOCodec.EncodeEvent("/admin", "foo", Of("""[ 1 , 2 ]"""), ackId: 13)).ShouldBe("""42/admin,13["foo",1 , 2]""");

    [Fact]
    public void Event_NameIsJsonEscaped()
    {
        var packet = RoundTrip(SocketIOCodec.EncodeEvent("/", "a\"b\\c\u2028é", Of("""[{"x":null}]""")));

        packet.EventName.ShouldBe("a\"b\\c\u2028é");
        Text(packet.Arguments).ShouldBe("""[{"x":null}]""");
    }

    [Fact]
    public void Event_RoundTrips()
    {
        var packet = RoundTrip(SocketIOCodec.EncodeEvent("/admin", "subscribed", Of("""[{"channel":"org:acme"},2]"""), ackId: 0));

        packet.Type.ShouldBe(SocketIOPacketType.Event);
        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(0);
        packet.EventName.ShouldBe("subscribed");
        Text(packet.Arguments).ShouldBe("""[{"channel":"org:acme"},2]""");
    }

    [Fact]
    public void Ack_ComplianceSuite() =>
        Text(SocketIOCodec.EncodeAck("/", 456, Of("""[1,"2",{"3":[false]}]"""))).ShouldBe("""43456[1,"2",{"3":[false]}]""");

    [Fact]
    public void Ack_CustomNamespace() =>
        Text(SocketIOCodec.EncodeAck("/admin", 13, Of("""["bar"]"""))).ShouldBe("""43/admin,13["bar"]""");

    [Fact]
    public void Ack_EmptyArguments_RoundTrips()
    {
        var frame = SocketIOCodec.EncodeAck("/", 12, Of("[]"));

        Text(frame).ShouldBe("4312[]");
        var packet = RoundTrip(frame);
        packet.Type.ShouldBe(SocketIOPacketType.Ack);
        packet.AckId.ShouldBe(12);
        Text(packet.Arguments).ShouldBe("[]");
    }

    // ---- BINARY_EVENT / BINARY_ACK -----------------------------------------------------------

    [Fact]
    public void BinaryEvent_ComplianceSuite_TwoAttachments()
    {
        var frames = SocketIOCodec.EncodeBinaryEvent("/", "message-back", TwoPlaceholders, [new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }]);

        frames.Count.ShouldBe(3);
        Text(frames[0]).ShouldBe("""452-["message-back",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
        frames[1].IsBinary.ShouldBeTrue();
        frames[1].Bytes.ToArray().ShouldBe(new byte[] { 1, 2, 3 });
        frames[2].IsBinary.ShouldBeTrue();
        frames[2].Bytes.ToArray().ShouldBe(new byte[] { 4, 5, 6 });
    }

    [Fact]
    public void BinaryEvent_CustomNamespaceWithAckId() =>
        Text(SocketIOCodec.EncodeBinaryEvent("/admin", "baz", Of("""[{"_placeholder":true,"num":0}]"""), [new byte[] { 1 }], ackId: 5)[0])
            .ShouldBe("""451-/admin,5["baz",{"_placeholder":true,"num":0}]""");

    [Fact]
    public void BinaryAck_ComplianceSuite_TwoAttachments()
    {
        var frames = SocketIOCodec.EncodeBinaryAck("/", 789, TwoPlaceholders, [new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }]);

        Text(frames[0]).ShouldBe("""462-789[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
        frames.Skip(1).Select(f => f.Bytes.ToArray()).ShouldBe([new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }]);
    }

    [Fact]
    public void BinaryAck_SampleSession_CustomNamespace() =>
        Text(SocketIOCodec.EncodeBinaryAck("/admin", 1, Of("""[{"_placeholder":true,"num":0}]"""), [new byte[] { 1 }])[0])
            .ShouldBe("""461-/admin,1[{"_placeholder":true,"num":0}]""");

    [Fact]
    public void BinaryEvent_RoundTripsThroughTheAssembler_OverWebSocketAndPolling()
    {
        var frames = SocketIOCodec.EncodeBinaryEvent("/admin", "file", Of("""[{"name":"a","bytes":{"_placeholder":true,"num":0}}]"""), [new byte[] { 0, 255, 30 }], ackId: 3);

        var ws = new SocketIOPacketAssembler();
        ws.Add(EngineIOCodec.DecodeText(frames[0].Bytes).Value).Value.ShouldBeNull();
        var viaWebSocket = ws.Add(EngineIOCodec.DecodeBinary(frames[1].Bytes).Value).Value.ShouldNotBeNull();

        var polling = new SocketIOPacketAssembler();
        SocketIOPacket? viaPolling = null;
        foreach (var packet in EngineIOCodec.DecodePayload(EngineIOCodec.EncodePayload(frames)).Value)
        {
            viaPolling = polling.Add(packet).Value ?? viaPolling;
        }

        foreach (var packet in new[] { viaWebSocket, viaPolling.ShouldNotBeNull() })
        {
            packet.Type.ShouldBe(SocketIOPacketType.BinaryEvent);
            packet.Namespace.ShouldBe("/admin");
            packet.AckId.ShouldBe(3);
            packet.EventName.ShouldBe("file");
            packet.ResolveArguments()[0]!["bytes"]!.GetValue<byte[]>().ShouldBe(new byte[] { 0, 255, 30 });
        }
    }

    [Fact]
    public void WritePlaceholder_WritesTheReferenceShape()
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            SocketIOCodec.WritePlaceholder(writer, 3);
        }

        Text(buffer.WrittenMemory).ShouldBe("""{"_placeholder":true,"num":3}""");
    }

    // ---- Programming errors ------------------------------------------------------------------

    [Theory]
    [InlineData("admin")]
    [InlineData("")]
    [InlineData("/a,b")]
    public void BadNamespace_Throws(string @namespace)
    {
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeConnect(@namespace, "s"));
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeDisconnect(@namespace));
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeEvent(@namespace, "x", Of("[]")));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("[1")]
    [InlineData("[1] [2]")]
    public void ArgumentsNotOneJsonArray_Throw(string arguments)
    {
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeEvent("/", "x", Of(arguments)));
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeAck("/", 1, Of(arguments)));
    }

    [Theory]
    [InlineData("connect")]
    [InlineData("connect_error")]
    [InlineData("disconnect")]
    [InlineData("disconnecting")]
    [InlineData("newListener")]
    [InlineData("removeListener")]
    public void ReservedEventName_Throws(string name) =>
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeEvent("/", name, Of("[]")));

    [Fact]
    public void NegativeAckId_Throws()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => SocketIOCodec.EncodeEvent("/", "x", Of("[]"), ackId: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => SocketIOCodec.EncodeAck("/", -1, Of("[]")));
    }

    [Fact]
    public void PlaceholderOutsideTheAttachments_Throws() =>
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeBinaryEvent("/", "x", TwoPlaceholders, [new byte[] { 1 }]));

    [Fact]
    public void ConnectErrorDataNotJson_Throws() =>
        Should.Throw<ArgumentException>(() => SocketIOCodec.EncodeConnectError("/", "m", Of("{oops")));
}
