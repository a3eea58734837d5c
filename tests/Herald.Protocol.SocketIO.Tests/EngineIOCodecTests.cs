using System.Buffers;
using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Byte fixtures for Engine.IO v4 packets: every type, text and binary, and every malformed case.</summary>
public sealed class EngineIOCodecTests
{
    private static EngineIOPacket Decode(string text)
    {
        var result = EngineIOCodec.DecodeText(Of(text));
        result.IsSuccess.ShouldBeTrue(result.Error.ToString());
        result.Error.ShouldBe(default);
        return result.Value;
    }

    private static SocketIOError Fail<T>(SocketIOResult<T> result, SocketIOErrorCode code)
    {
        result.IsSuccess.ShouldBeFalse();
        result.Error.Code.ShouldBe(code);
        result.Error.Message.ShouldNotBeNullOrWhiteSpace();
        Should.Throw<InvalidOperationException>(() => result.Value);
        return result.Error;
    }

    // ---- Every packet type -------------------------------------------------------------------

    [Theory]
    [InlineData("0{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}", EngineIOPacketType.Open, "{\"sid\":\"lv_VI97HAXpY6yYWAAAC\",\"upgrades\":[\"websocket\"],\"pingInterval\":25000,\"pingTimeout\":20000,\"maxPayload\":1000000}")]
    [InlineData("1", EngineIOPacketType.Close, "")]
    [InlineData("2", EngineIOPacketType.Ping, "")]
    [InlineData("2probe", EngineIOPacketType.Ping, "probe")]
    [InlineData("3", EngineIOPacketType.Pong, "")]
    [InlineData("3probe", EngineIOPacketType.Pong, "probe")]
    [InlineData("4hello", EngineIOPacketType.Message, "hello")]
    [InlineData("4", EngineIOPacketType.Message, "")]
    [InlineData("42[\"foo\"]", EngineIOPacketType.Message, "2[\"foo\"]")]
    [InlineData("4é€😀", EngineIOPacketType.Message, "é€😀")]
    [InlineData("5", EngineIOPacketType.Upgrade, "")]
    [InlineData("6", EngineIOPacketType.Noop, "")]
    public void DecodeText_EveryPacketType(string frame, EngineIOPacketType type, string data)
    {
        var packet = Decode(frame);

        packet.Type.ShouldBe(type);
        packet.IsBinary.ShouldBeFalse();
        Text(packet.Data).ShouldBe(data);
    }

    [Theory]
    [InlineData("2probe", true)]
    [InlineData("3probe", true)]
    [InlineData("2", false)]
    [InlineData("4probe", false)]
    [InlineData("2probes", false)]
    public void IsProbe_OnlyForPingAndPongWithProbe(string frame, bool isProbe) => Decode(frame).IsProbe.ShouldBe(isProbe);

    [Fact]
    public void DecodeText_AliasesTheInput()
    {
        var frame = Of("4hello");

        var packet = EngineIOCodec.DecodeText(frame).Value;
        frame[1] = (byte)'j';

        Text(packet.Data).ShouldBe("jello");
    }

    [Fact]
    public void DecodeText_Base64_IsABinaryMessage()
    {
        var packet = Decode("bAQIDBA==");

        packet.Type.ShouldBe(EngineIOPacketType.Message);
        packet.IsBinary.ShouldBeTrue();
        packet.Data.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void DecodeText_EmptyBase64_IsAnEmptyBinaryMessage()
    {
        var packet = Decode("b");

        packet.IsBinary.ShouldBeTrue();
        packet.Data.Length.ShouldBe(0);
    }

    [Fact]
    public void DecodeBinary_IsABinaryMessageOfTheFrame()
    {
        var frame = new byte[] { 1, 2, 3, 4 };

        var packet = EngineIOCodec.DecodeBinary(frame).Value;

        packet.Type.ShouldBe(EngineIOPacketType.Message);
        packet.IsBinary.ShouldBeTrue();
        packet.Data.ToArray().ShouldBe(frame);
    }

    [Fact]
    public void DecodeBinary_StartingWithADigitOrB_IsStillRawBinary()
    {
        var packet = EngineIOCodec.DecodeBinary(Of("4hello")).Value;

        packet.IsBinary.ShouldBeTrue();
        Text(packet.Data).ShouldBe("4hello");
    }

    [Fact]
    public void DecodeBinary_EmptyFrame_IsAnEmptyBinaryMessage() =>
        EngineIOCodec.DecodeBinary(ReadOnlyMemory<byte>.Empty).Value.Data.Length.ShouldBe(0);

    // ---- Polling payloads --------------------------------------------------------------------

    [Fact]
    public void DecodePayload_OnePacket()
    {
        var packets = EngineIOCodec.DecodePayload(Of("4hello")).Value;

        packets.Count.ShouldBe(1);
        packets[0].Type.ShouldBe(EngineIOPacketType.Message);
        Text(packets[0].Data).ShouldBe("hello");
    }

    [Fact]
    public void DecodePayload_SpecExample_MessagePingMessage()
    {
        var packets = EngineIOCodec.DecodePayload(Of("4hello\u001e2\u001e4world")).Value;

        packets.Select(p => p.Type).ShouldBe([EngineIOPacketType.Message, EngineIOPacketType.Ping, EngineIOPacketType.Message]);
        packets.Select(p => Text(p.Data)).ShouldBe(["hello", "", "world"]);
    }

    [Fact]
    public void DecodePayload_ComplianceSuite_SeveralTextPackets()
    {
        var packets = EngineIOCodec.DecodePayload(Of("4test1\u001e4test2\u001e4test3")).Value;

        packets.Select(p => Text(p.Data)).ShouldBe(["test1", "test2", "test3"]);
    }

    [Fact]
    public void DecodePayload_TextAndBase64Binary()
    {
        var packets = EngineIOCodec.DecodePayload(Of("4hello\u001ebAQIDBA==")).Value;

        packets.Count.ShouldBe(2);
        packets[0].IsBinary.ShouldBeFalse();
        Text(packets[0].Data).ShouldBe("hello");
        packets[1].IsBinary.ShouldBeTrue();
        packets[1].Data.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void DecodePayload_SocketIOSampleSession_TwoEvents()
    {
        var packets = EngineIOCodec.DecodePayload(Of("42[\"hello\"]\u001e42[\"world\"]")).Value;

        packets.Select(p => Text(p.Data)).ShouldBe(["2[\"hello\"]", "2[\"world\"]"]);
    }

    [Fact]
    public void DecodePayload_AtExactlyMaxPayload_IsAccepted() =>
        EngineIOCodec.DecodePayload(Of("4hello\u001e4world"), maxPayload: 13).IsSuccess.ShouldBeTrue();

    // ---- Encoding ----------------------------------------------------------------------------

    [Theory]
    [InlineData(EngineIOPacketType.Open, "{}", "0{}")]
    [InlineData(EngineIOPacketType.Close, "", "1")]
    [InlineData(EngineIOPacketType.Ping, "", "2")]
    [InlineData(EngineIOPacketType.Pong, "probe", "3probe")]
    [InlineData(EngineIOPacketType.Message, "hello", "4hello")]
    [InlineData(EngineIOPacketType.Upgrade, "", "5")]
    [InlineData(EngineIOPacketType.Noop, "", "6")]
    public void Encode_TextPacket_IsTypeDigitAndData(EngineIOPacketType type, string data, string expected)
    {
        var frame = EngineIOCodec.Encode(EngineIOPacket.Text(type, Of(data)));

        Text(frame).ShouldBe(expected);
    }

    [Fact]
    public void Encode_BinaryPacket_IsTheRawBytes()
    {
        var frame = EngineIOCodec.Encode(EngineIOPacket.BinaryMessage(new byte[] { 1, 2, 3, 4 }));

        frame.IsBinary.ShouldBeTrue();
        frame.Bytes.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void StaticFrames_AreTheControlPackets()
    {
        Text(EngineIOFrame.Close).ShouldBe("1");
        Text(EngineIOFrame.Ping).ShouldBe("2");
        Text(EngineIOFrame.Pong).ShouldBe("3");
        Text(EngineIOFrame.PongProbe).ShouldBe("3probe");
        Text(EngineIOFrame.Noop).ShouldBe("6");
        EngineIOCodec.PostOk.ToArray().ShouldBe(Of("ok"));
    }

    [Fact]
    public void EncodePayload_OneFrame_IsTheFrame() =>
        Text(EngineIOCodec.EncodePayload([EngineIOFrame.Text(Of("4hello"))])).ShouldBe("4hello");

    [Fact]
    public void EncodePayload_JoinsWithRecordSeparator_AndBase64sBinary()
    {
        EngineIOFrame[] frames = [EngineIOFrame.Text(Of("4hello")), EngineIOFrame.Binary(new byte[] { 1, 2, 3, 4 }), EngineIOFrame.Ping];

        var payload = EngineIOCodec.EncodePayload(frames);

        Text(payload).ShouldBe("4hello\u001ebAQIDBA==\u001e2");
        payload.Length.ShouldBe(frames.Sum(EngineIOCodec.GetPayloadLength) + 2);
    }

    [Fact]
    public void EncodePayload_ComplianceSuite_EchoesSeveralTextPackets() =>
        Text(EngineIOCodec.EncodePayload([EngineIOFrame.Text(Of("4test1")), EngineIOFrame.Text(Of("4test2")), EngineIOFrame.Text(Of("4test3"))]))
            .ShouldBe("4test1\u001e4test2\u001e4test3");

    [Fact]
    public void EncodePayload_EmptyBinary_IsB() =>
        Text(EngineIOCodec.EncodePayload([EngineIOFrame.Binary(ReadOnlyMemory<byte>.Empty)])).ShouldBe("b");

    [Fact]
    public void WritePayload_AppendsToABufferWriter()
    {
        var output = new ArrayBufferWriter<byte>();
        output.Write(Of("x"));

        EngineIOCodec.WritePayload(output, [EngineIOFrame.Noop, EngineIOFrame.Binary(new byte[] { 255 })]);

        Text(output.WrittenMemory).ShouldBe("x6\u001eb/w==");
    }

    [Fact]
    public void EncodePayload_ThenDecodePayload_RoundTrips()
    {
        var binary = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        EngineIOFrame[] frames = [EngineIOFrame.Text(Of("42[\"é\"]")), EngineIOFrame.Binary(binary), EngineIOFrame.Text(Of("3"))];

        var packets = EngineIOCodec.DecodePayload(EngineIOCodec.EncodePayload(frames)).Value;

        packets.Count.ShouldBe(3);
        Text(packets[0].Data).ShouldBe("2[\"é\"]");
        packets[1].Data.ToArray().ShouldBe(binary);
        packets[2].Type.ShouldBe(EngineIOPacketType.Pong);
    }

    [Fact]
    public void EncodePayload_NoFrames_Throws() =>
        Should.Throw<ArgumentException>(() => EngineIOCodec.EncodePayload([]));

    [Fact]
    public void EncodePayload_TextFrameWithRecordSeparator_Throws_AndWritesNothing()
    {
        var output = new ArrayBufferWriter<byte>();

        Should.Throw<ArgumentException>(() => EngineIOCodec.WritePayload(output, [EngineIOFrame.Ping, EngineIOFrame.Text(Of("4a\u001e" + "b"))]));
        output.WrittenCount.ShouldBe(0);
    }

    [Fact]
    public void EncodePayload_EmptyTextFrame_Throws() =>
        Should.Throw<ArgumentException>(() => EngineIOCodec.EncodePayload([EngineIOFrame.Text(ReadOnlyMemory<byte>.Empty)]));

    [Fact]
    public void Packet_BinaryOfAnotherTypeThanMessage_Throws() =>
        Should.Throw<ArgumentException>(() => new EngineIOPacket(EngineIOPacketType.Ping, default, isBinary: true));

    // ---- Malformed input ---------------------------------------------------------------------

    [Fact]
    public void DecodeText_EmptyFrame_IsEmptyPacket() =>
        Fail(EngineIOCodec.DecodeText(ReadOnlyMemory<byte>.Empty), SocketIOErrorCode.EmptyPacket);

    [Theory]
    [InlineData("abc")]
    [InlineData("7")]
    [InlineData("9hello")]
    [InlineData("/")]
    [InlineData(" 4hello")]
    [InlineData("B")]
    [InlineData("\u0000")]
    [InlineData("\u001e")]
    public void DecodeText_UnknownPacketType(string frame) =>
        Fail(EngineIOCodec.DecodeText(Of(frame)), SocketIOErrorCode.UnknownPacketType);

    [Theory]
    [InlineData("bAQIDBA")]
    [InlineData("bAQID!A==")]
    [InlineData("bAQIDBA===")]
    [InlineData("b====")]
    [InlineData("bé")]
    public void DecodeText_BadBase64_IsInvalidBase64(string frame) =>
        Fail(EngineIOCodec.DecodeText(Of(frame)), SocketIOErrorCode.InvalidBase64);

    [Theory]
    [InlineData("b AQIDBA==")]
    [InlineData("bAQIDBA==\n")]
    [InlineData("bAQID\r\nBA==")]
    public void DecodeText_Base64WithWhitespace_IsTolerated_LikeAtob(string frame) =>
        Decode(frame).Data.ToArray().ShouldBe(new byte[] { 1, 2, 3, 4 });

    [Theory]
    [InlineData(new byte[] { (byte)'4', 0xFF })]
    [InlineData(new byte[] { (byte)'4', 0xC3 })]
    [InlineData(new byte[] { (byte)'2', 0xED, 0xA0, 0x80 })]
    public void DecodeText_InvalidUtf8(byte[] frame) =>
        Fail(EngineIOCodec.DecodeText(frame), SocketIOErrorCode.InvalidUtf8);

    [Fact]
    public void DecodeText_OverMaxPayload_IsPayloadTooLarge() =>
        Fail(EngineIOCodec.DecodeText(Of("4" + new string('x', 100)), maxPayload: 100), SocketIOErrorCode.PayloadTooLarge);

    [Fact]
    public void DecodeBinary_OverMaxPayload_IsPayloadTooLarge() =>
        Fail(EngineIOCodec.DecodeBinary(new byte[1_000_001]), SocketIOErrorCode.PayloadTooLarge);

    [Fact]
    public void DecodePayload_OverMaxPayload_IsPayloadTooLarge() =>
        Fail(EngineIOCodec.DecodePayload(Of("4hello\u001e4world"), maxPayload: 12), SocketIOErrorCode.PayloadTooLarge);

    [Fact]
    public void DecodePayload_OverDefaultMaxPayload_IsPayloadTooLarge() =>
        Fail(EngineIOCodec.DecodePayload(Of("4" + new string('x', EngineIOCodec.DefaultMaxPayload))), SocketIOErrorCode.PayloadTooLarge);

    [Fact]
    public void DecodePayload_EmptyBody_IsEmptyPacket() =>
        Fail(EngineIOCodec.DecodePayload(ReadOnlyMemory<byte>.Empty), SocketIOErrorCode.EmptyPacket);

    [Theory]
    [InlineData("4a\u001e\u001e4b")]
    [InlineData("4a\u001e")]
    [InlineData("\u001e4a")]
    [InlineData("\u001e")]
    public void DecodePayload_EmptyRecord_IsEmptyPacket(string body) =>
        Fail(EngineIOCodec.DecodePayload(Of(body)), SocketIOErrorCode.EmptyPacket);

    [Fact]
    public void DecodePayload_ComplianceSuite_InvalidPacketFormat() =>
        Fail(EngineIOCodec.DecodePayload(Of("abc")), SocketIOErrorCode.UnknownPacketType);

    [Fact]
    public void DecodePayload_BadSecondPacket_FailsTheWholePayload_AndSaysWhich()
    {
        var error = Fail(EngineIOCodec.DecodePayload(Of("4hello\u001ex\u001e4world")), SocketIOErrorCode.UnknownPacketType);

        error.Message.ShouldContain("packet 2");
    }

    [Fact]
    public void DecodePayload_BadBase64Record_IsInvalidBase64() =>
        Fail(EngineIOCodec.DecodePayload(Of("4hello\u001ebAQ#DBA==")), SocketIOErrorCode.InvalidBase64);
}
