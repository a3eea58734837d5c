using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Byte fixtures for every Socket.IO packet type as a client sends it (and the server's, decoded back).</summary>
public sealed class SocketIOCodecDecodeTests
{
    internal static SocketIOPacket Decode(string text)
    {
        var result = SocketIOCodec.Decode(Of(text));
        result.IsSuccess.ShouldBeTrue(result.Error.ToString());
        return result.Value;
    }

    // ---- CONNECT -----------------------------------------------------------------------------

    [Fact]
    public void Connect_MainNamespace()
    {
        var packet = Decode("0");

        packet.Type.ShouldBe(SocketIOPacketType.Connect);
        packet.Namespace.ShouldBe("/");
        packet.AckId.ShouldBeNull();
        packet.Payload.IsEmpty.ShouldBeTrue();
        packet.EventName.ShouldBeNull();
        packet.IsComplete.ShouldBeTrue();
    }

    [Fact]
    public void Connect_WithAuthPayload()
    {
        var packet = Decode("""0{"token":"123"}""");

        packet.Namespace.ShouldBe("/");
        Text(packet.Payload).ShouldBe("""{"token":"123"}""");
    }

    [Theory]
    [InlineData("0/admin,", "/admin")]
    [InlineData("0/custom", "/custom")]
    [InlineData("0/,", "/")]
    [InlineData("0/a/b-c_d.é,", "/a/b-c_d.é")]
    public void Connect_CustomNamespace_WithOrWithoutComma(string text, string @namespace)
    {
        var packet = Decode(text);

        packet.Type.ShouldBe(SocketIOPacketType.Connect);
        packet.Namespace.ShouldBe(@namespace);
        packet.Payload.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Connect_CustomNamespaceWithPayload()
    {
        var packet = Decode("""0/custom,{"token":"abc"}""");

        packet.Namespace.ShouldBe("/custom");
        Text(packet.Payload).ShouldBe("""{"token":"abc"}""");
    }

    [Fact]
    public void Connect_ServerAnswer()
    {
        var packet = Decode("""0/admin,{"sid":"oSO0OpakMV_3jnilAAAA"}""");

        packet.Namespace.ShouldBe("/admin");
        Text(packet.Payload).ShouldBe("""{"sid":"oSO0OpakMV_3jnilAAAA"}""");
    }

    // ---- DISCONNECT --------------------------------------------------------------------------

    [Theory]
    [InlineData("1", "/")]
    [InlineData("1/admin,", "/admin")]
    [InlineData("1/custom", "/custom")]
    public void Disconnect(string text, string @namespace)
    {
        var packet = Decode(text);

        packet.Type.ShouldBe(SocketIOPacketType.Disconnect);
        packet.Namespace.ShouldBe(@namespace);
        packet.Payload.IsEmpty.ShouldBeTrue();
    }

    // ---- EVENT -------------------------------------------------------------------------------

    [Fact]
    public void Event_NameOnly()
    {
        var packet = Decode("""2["foo"]""");

        packet.Type.ShouldBe(SocketIOPacketType.Event);
        packet.IsEvent.ShouldBeTrue();
        packet.IsBinary.ShouldBeFalse();
        packet.Namespace.ShouldBe("/");
        packet.EventName.ShouldBe("foo");
        Text(packet.Arguments).ShouldBe("[]");
        Text(packet.Payload).ShouldBe("""["foo"]""");
        packet.AckId.ShouldBeNull();
        packet.Attachments.ShouldBeEmpty();
    }

    [Fact]
    public void Event_ComplianceSuite_ArgumentsAreTheArrayAfterTheName()
    {
        var packet = Decode("""2["message",1,"2",{"3":[true]}]""");

        packet.EventName.ShouldBe("message");
        Text(packet.Arguments).ShouldBe("""[1,"2",{"3":[true]}]""");
    }

    [Fact]
    public void Event_CustomNamespace()
    {
        var packet = Decode("""2/admin,["bar"]""");

        packet.Namespace.ShouldBe("/admin");
        packet.EventName.ShouldBe("bar");
    }

    [Fact]
    public void Event_WithAckId()
    {
        var packet = Decode("""212["foo"]""");

        packet.AckId.ShouldBe(12);
        packet.EventName.ShouldBe("foo");
    }

    [Fact]
    public void Event_ComplianceSuite_WithAckIdAndArguments()
    {
        var packet = Decode("""2456["message-with-ack",1,"2",{"3":[false]}]""");

        packet.AckId.ShouldBe(456);
        packet.EventName.ShouldBe("message-with-ack");
        Text(packet.Arguments).ShouldBe("""[1,"2",{"3":[false]}]""");
    }

    [Fact]
    public void Event_CustomNamespaceAndAckId()
    {
        var packet = Decode("""2/admin,13["tellme",{"a":1}]""");

        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(13);
        packet.EventName.ShouldBe("tellme");
        Text(packet.Arguments).ShouldBe("""[{"a":1}]""");
    }

    [Theory]
    [InlineData("2[ \"foo\" , 1 ,2 ]", "[ 1 ,2 ]")]
    [InlineData("2[ \"foo\" ]", "[]")]
    [InlineData("2[\"foo\"\n]\n", "[]")]
    [InlineData("2 [\"foo\",null]", "[null]")]
    public void Event_WithWhitespace_ArgumentsStayValidJson(string text, string arguments)
    {
        var packet = Decode(text);

        packet.EventName.ShouldBe("foo");
        Text(packet.Arguments).ShouldBe(arguments);
        System.Text.Json.JsonDocument.Parse(packet.Arguments).Dispose();
    }

    [Theory]
    [InlineData("""2["a\"b"]""", "a\"b")]
    [InlineData("""2["\u00e9v\u00e9nement"]""", "événement")]
    [InlineData("""2["événement 😀"]""", "événement 😀")]
    [InlineData("""2["Connect"]""", "Connect")]
    [InlineData("""2["connected"]""", "connected")]
    [InlineData("""2["subscribe"]""", "subscribe")]
    [InlineData("""2[""]""", "")]
    public void Event_NamesAreUnescaped(string text, string name) => Decode(text).EventName.ShouldBe(name);

    [Fact]
    public void Event_LargestAckId() => Decode("""22147483647["x"]""").AckId.ShouldBe(int.MaxValue);

    [Fact]
    public void Event_AckIdWithLeadingZeros_IsItsValue() => Decode("""2007["x"]""").AckId.ShouldBe(7);

    [Fact]
    public void Event_PlaceholderShapeInATextEvent_IsPlainData()
    {
        var packet = Decode("""2["x",{"_placeholder":true,"num":99}]""");

        packet.ResolveArguments()[0]!["num"]!.GetValue<int>().ShouldBe(99);
    }

    [Fact]
    public void Event_OwnsItsBytes()
    {
        var input = Of("""2["foo",1]""");

        var packet = SocketIOCodec.Decode(input).Value;
        Array.Fill(input, (byte)'x');

        Text(packet.Payload).ShouldBe("""["foo",1]""");
        Text(packet.Arguments).ShouldBe("[1]");
    }

    // ---- ACK ---------------------------------------------------------------------------------

    [Fact]
    public void Ack_MainNamespace()
    {
        var packet = Decode("""312["bar"]""");

        packet.Type.ShouldBe(SocketIOPacketType.Ack);
        packet.IsAck.ShouldBeTrue();
        packet.AckId.ShouldBe(12);
        packet.EventName.ShouldBeNull();
        Text(packet.Arguments).ShouldBe("""["bar"]""");
    }

    [Fact]
    public void Ack_CustomNamespace()
    {
        var packet = Decode("""3/admin,13["bar"]""");

        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(13);
        Text(packet.Arguments).ShouldBe("""["bar"]""");
    }

    [Fact]
    public void Ack_EmptyArray()
    {
        var packet = Decode("30[]");

        packet.AckId.ShouldBe(0);
        Text(packet.Arguments).ShouldBe("[]");
    }

    // ---- CONNECT_ERROR -----------------------------------------------------------------------

    [Fact]
    public void ConnectError_Object()
    {
        var packet = Decode("""4{"message":"Not authorized"}""");

        packet.Type.ShouldBe(SocketIOPacketType.ConnectError);
        Text(packet.Payload).ShouldBe("""{"message":"Not authorized"}""");
    }

    [Fact]
    public void ConnectError_ComplianceSuite_CustomNamespace()
    {
        var packet = Decode("""4/random,{"message":"Invalid namespace"}""");

        packet.Namespace.ShouldBe("/random");
        Text(packet.Payload).ShouldBe("""{"message":"Invalid namespace"}""");
    }

    [Fact]
    public void ConnectError_String_AsSocketIOParserAccepts() =>
        Text(Decode("4\"Not authorized\"").Payload).ShouldBe("\"Not authorized\"");

    // ---- BINARY_EVENT / BINARY_ACK headers ---------------------------------------------------

    [Fact]
    public void BinaryEvent_Header_OneAttachment()
    {
        var packet = Decode("""51-["baz",{"_placeholder":true,"num":0}]""");

        packet.Type.ShouldBe(SocketIOPacketType.BinaryEvent);
        packet.IsEvent.ShouldBeTrue();
        packet.IsBinary.ShouldBeTrue();
        packet.AttachmentCount.ShouldBe(1);
        packet.Attachments.ShouldBeEmpty();
        packet.IsComplete.ShouldBeFalse();
        packet.EventName.ShouldBe("baz");
        Text(packet.Arguments).ShouldBe("""[{"_placeholder":true,"num":0}]""");
    }

    [Fact]
    public void BinaryEvent_Header_CustomNamespaceAndTwoAttachments()
    {
        var packet = Decode("""52-/admin,["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");

        packet.Namespace.ShouldBe("/admin");
        packet.AttachmentCount.ShouldBe(2);
        packet.AckId.ShouldBeNull();
    }

    [Fact]
    public void BinaryEvent_Header_WithAckId()
    {
        var packet = Decode("""52-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");

        packet.AckId.ShouldBe(789);
        packet.AttachmentCount.ShouldBe(2);
    }

    [Fact]
    public void BinaryEvent_ZeroAttachments_IsComplete()
    {
        var packet = Decode("""50-["x",1]""");

        packet.AttachmentCount.ShouldBe(0);
        packet.IsComplete.ShouldBeTrue();
    }

    [Fact]
    public void BinaryAck_Header()
    {
        var packet = Decode("""61-15["bar",{"_placeholder":true,"num":0}]""");

        packet.Type.ShouldBe(SocketIOPacketType.BinaryAck);
        packet.IsAck.ShouldBeTrue();
        packet.AckId.ShouldBe(15);
        packet.AttachmentCount.ShouldBe(1);
        Text(packet.Arguments).ShouldBe("""["bar",{"_placeholder":true,"num":0}]""");
    }

    [Fact]
    public void BinaryAck_SampleSession_CustomNamespace()
    {
        var packet = Decode("""61-/admin,1[{"_placeholder":true,"num":0}]""");

        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(1);
    }

    [Fact]
    public void BinaryHeader_AttachmentCountWithLeadingZeros_AndAtTheMaximum() =>
        SocketIOCodec.Decode(Of("""510-["x"]"""), maxAttachments: 10).Value.AttachmentCount.ShouldBe(10);

    [Fact]
    public void BinaryHeader_PlaceholderUsedTwice_IsFine() =>
        Decode("""52-["x",{"_placeholder":true,"num":0},[{"_placeholder":true,"num":0}]]""").AttachmentCount.ShouldBe(2);

    [Fact]
    public void BinaryHeader_PlaceholderFlagNotTrue_IsPlainData() =>
        Decode("""51-["x",{"_placeholder":false,"num":"a"},{"_placeholder":"true"}]""").IsComplete.ShouldBeFalse();

    [Fact]
    public void BinaryHeader_DuplicateKeys_LastWins() =>
        Decode("""51-["x",{"_placeholder":true,"num":5,"num":0}]""").AttachmentCount.ShouldBe(1);

    [Fact]
    public void BinaryHeader_PlaceholderWithExtraKeys_IsAccepted() =>
        Decode("""51-["x",{"num":0,"extra":{"y":1},"_placeholder":true}]""").AttachmentCount.ShouldBe(1);

    // ---- Through Engine.IO -------------------------------------------------------------------

    [Fact]
    public void FromAnEngineIOFrame_SampleSession()
    {
        var message = EngineIOCodec.DecodeText(Of("""42/admin,1["tellme"]""")).Value;

        var packet = SocketIOCodec.Decode(message.Data).Value;

        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(1);
        packet.EventName.ShouldBe("tellme");
    }

    [Fact]
    public void ReservedEventNames_AreTheSixOfSocketIOParser() =>
        SocketIOCodec.ReservedEventNames.Order(StringComparer.Ordinal).ShouldBe(
            ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"]);
}
