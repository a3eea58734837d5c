using System.Text.Json.Nodes;
using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Binary events and acks across several Engine.IO messages, and everything that can go wrong on the way.</summary>
public sealed class SocketIOPacketAssemblerTests
{
    private static EngineIOPacket Ws(string frame) => EngineIOCodec.DecodeText(Of(frame)).Value;

    private static EngineIOPacket Ws(params byte[] binary) => EngineIOCodec.DecodeBinary(binary).Value;

    private static void ShouldWait(SocketIOResult<SocketIOPacket?> result)
    {
        result.IsSuccess.ShouldBeTrue(result.Error.ToString());
        result.Value.ShouldBeNull();
    }

    private static SocketIOPacket ShouldComplete(SocketIOResult<SocketIOPacket?> result)
    {
        result.IsSuccess.ShouldBeTrue(result.Error.ToString());
        var packet = result.Value.ShouldNotBeNull();
        packet.IsComplete.ShouldBeTrue();
        return packet;
    }

    private static void ShouldFail(SocketIOResult<SocketIOPacket?> result, SocketIOErrorCode code)
    {
        result.IsSuccess.ShouldBeFalse();
        result.Error.Code.ShouldBe(code, result.Error.Message);
    }

    [Fact]
    public void TextEvent_IsCompleteAtOnce()
    {
        var assembler = new SocketIOPacketAssembler();

        var packet = ShouldComplete(assembler.Add(Ws("""42["message",1]""")));

        packet.EventName.ShouldBe("message");
        assembler.IsAwaitingAttachments.ShouldBeFalse();
    }

    [Fact]
    public void BinaryEvent_OneAttachment()
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldWait(assembler.Add(Ws("""451-["baz",{"_placeholder":true,"num":0}]""")));
        assembler.IsAwaitingAttachments.ShouldBeTrue();
        var packet = ShouldComplete(assembler.Add(Ws(1, 2, 3, 4)));

        packet.Type.ShouldBe(SocketIOPacketType.BinaryEvent);
        packet.EventName.ShouldBe("baz");
        packet.Attachments.Count.ShouldBe(1);
        packet.Attachments[0].ShouldBe(new byte[] { 1, 2, 3, 4 });
        assembler.IsAwaitingAttachments.ShouldBeFalse();
        var arguments = packet.ResolveArguments();
        arguments.Count.ShouldBe(1);
        arguments[0]!.GetValue<byte[]>().ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void BinaryEvent_ComplianceSuite_TwoAttachmentsWithAck()
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldWait(assembler.Add(Ws("""452-789["message-with-ack",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""")));
        ShouldWait(assembler.Add(Ws(1, 2, 3)));
        var packet = ShouldComplete(assembler.Add(Ws(4, 5, 6)));

        packet.AckId.ShouldBe(789);
        packet.Attachments.Select(a => a.ToArray()).ShouldBe([new byte[] { 1, 2, 3 }, new byte[] { 4, 5, 6 }]);
        Text(packet.Arguments).ShouldBe("""[{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]""");
    }

    [Fact]
    public void BinaryEvent_ThreeAttachments_NestedOutOfOrderAndReused()
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldWait(assembler.AddText(Of("""53-/admin,7["upload",{"name":"a.bin","parts":[{"_placeholder":true,"num":2},{"_placeholder":true,"num":0}]},{"_placeholder":true,"num":1},{"again":{"_placeholder":true,"num":0}},"text",3]""")));
        ShouldWait(assembler.AddBinary(new byte[] { 10 }));
        ShouldWait(assembler.AddBinary(new byte[] { 11, 11 }));
        var packet = ShouldComplete(assembler.AddBinary(new byte[] { 12, 12, 12 }));

        packet.Namespace.ShouldBe("/admin");
        packet.AckId.ShouldBe(7);
        packet.AttachmentCount.ShouldBe(3);
        var arguments = packet.ResolveArguments();
        arguments.Count.ShouldBe(5);
        arguments[0]!["name"]!.GetValue<string>().ShouldBe("a.bin");
        arguments[0]!["parts"]![0]!.GetValue<byte[]>().ShouldBe(new byte[] { 12, 12, 12 });
        arguments[0]!["parts"]![1]!.GetValue<byte[]>().ShouldBe(new byte[] { 10 });
        arguments[1]!.GetValue<byte[]>().ShouldBe(new byte[] { 11, 11 });
        arguments[2]!["again"]!.GetValue<byte[]>().ShouldBeSameAs(arguments[0]!["parts"]![1]!.GetValue<byte[]>());
        arguments[3]!.GetValue<string>().ShouldBe("text");
        arguments[4]!.GetValue<int>().ShouldBe(3);
    }

    [Fact]
    public void ResolveArguments_SerializesAttachmentsAsBase64()
    {
        var assembler = new SocketIOPacketAssembler();
        assembler.AddText(Of("""51-["x",{"file":{"_placeholder":true,"num":0}},null,true,1.5]"""));

        var packet = ShouldComplete(assembler.AddBinary(new byte[] { 1, 2, 3, 4 }));

        packet.ResolveArguments().ToJsonString().ShouldBe("""[{"file":"AQIDBA=="},null,true,1.5]""");
    }

    [Fact]
    public void ResolveArguments_DuplicateKeys_LastWins_LikeValidation()
    {
        var assembler = new SocketIOPacketAssembler();
        assembler.AddText(Of("""51-["x",{"_placeholder":true,"num":5,"num":0},{"k":1,"k":2}]"""));

        var arguments = ShouldComplete(assembler.AddBinary(new byte[] { 9 })).ResolveArguments();

        arguments[0]!.GetValue<byte[]>().ShouldBe(new byte[] { 9 });
        arguments[1]!["k"]!.GetValue<int>().ShouldBe(2);
    }

    [Fact]
    public void BinaryAck_OneAttachment()
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldWait(assembler.Add(Ws("""461-15["bar",{"_placeholder":true,"num":0}]""")));
        var packet = ShouldComplete(assembler.Add(Ws(1, 2, 3, 4)));

        packet.Type.ShouldBe(SocketIOPacketType.BinaryAck);
        packet.AckId.ShouldBe(15);
        var arguments = packet.ResolveArguments();
        arguments[0]!.GetValue<string>().ShouldBe("bar");
        arguments[1]!.GetValue<byte[]>().ShouldBe(new byte[] { 1, 2, 3, 4 });
    }

    [Fact]
    public void BinaryEvent_ZeroAttachments_IsCompleteAtOnce()
    {
        var assembler = new SocketIOPacketAssembler();

        var packet = ShouldComplete(assembler.AddText(Of("""50-["x",1]""")));

        packet.ResolveArguments().ToJsonString().ShouldBe("[1]");
        assembler.IsAwaitingAttachments.ShouldBeFalse();
    }

    [Fact]
    public void BinaryEvent_OverLongPolling_Base64Attachment()
    {
        var packets = EngineIOCodec.DecodePayload(Of("451-[\"baz\",{\"_placeholder\":true,\"num\":0}]\u001ebAQIDBA==\u001e42[\"next\"]")).Value;
        var assembler = new SocketIOPacketAssembler();

        ShouldWait(assembler.Add(packets[0]));
        var binary = ShouldComplete(assembler.Add(packets[1]));
        var next = ShouldComplete(assembler.Add(packets[2]));

        binary.Attachments[0].ShouldBe(new byte[] { 1, 2, 3, 4 });
        next.EventName.ShouldBe("next");
    }

    [Fact]
    public void Attachments_AreCopied_SoTheTransportMayReuseItsBuffer()
    {
        var assembler = new SocketIOPacketAssembler();
        var buffer = new byte[] { 1, 2, 3 };
        assembler.AddText(Of("""51-["x",{"_placeholder":true,"num":0}]"""));

        var packet = ShouldComplete(assembler.AddBinary(buffer));
        buffer[0] = 99;

        packet.Attachments[0].ShouldBe(new byte[] { 1, 2, 3 });
    }

    [Fact]
    public void ConsecutiveBinaryPackets_AreIndependent()
    {
        var assembler = new SocketIOPacketAssembler();

        assembler.AddText(Of("""51-["a",{"_placeholder":true,"num":0}]"""));
        var first = ShouldComplete(assembler.AddBinary(new byte[] { 1 }));
        assembler.AddText(Of("""62-3[{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]"""));
        assembler.AddBinary(new byte[] { 2 });
        var second = ShouldComplete(assembler.AddBinary(new byte[] { 3 }));

        first.Attachments.Count.ShouldBe(1);
        second.Attachments.Select(a => a[0]).ShouldBe([(byte)2, (byte)3]);
        second.ResolveArguments().Select(n => n!.GetValue<byte[]>()[0]).ShouldBe([(byte)3, (byte)2]);
    }

    // ---- Failures ----------------------------------------------------------------------------

    [Fact]
    public void BinaryWithoutPendingHeader_IsUnexpectedBinary()
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldFail(assembler.Add(Ws(1, 2, 3)), SocketIOErrorCode.UnexpectedBinary);
    }

    [Fact]
    public void ExtraAttachment_IsUnexpectedBinary()
    {
        var assembler = new SocketIOPacketAssembler();
        assembler.AddText(Of("""51-["x",{"_placeholder":true,"num":0}]"""));
        ShouldComplete(assembler.AddBinary(new byte[] { 1 }));

        ShouldFail(assembler.AddBinary(new byte[] { 2 }), SocketIOErrorCode.UnexpectedBinary);
    }

    [Fact]
    public void TextWhileAwaitingAttachments_IsUnexpectedText_AndResets()
    {
        var assembler = new SocketIOPacketAssembler();
        assembler.AddText(Of("""52-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]"""));
        assembler.AddBinary(new byte[] { 1 });

        ShouldFail(assembler.AddText(Of("""2["y"]""")), SocketIOErrorCode.UnexpectedText);

        assembler.IsAwaitingAttachments.ShouldBeFalse();
        ShouldComplete(assembler.AddText(Of("""2["z"]"""))).EventName.ShouldBe("z");
    }

    [Fact]
    public void AttachmentCountOverTheConfiguredMaximum_IsTooManyAttachments()
    {
        var assembler = new SocketIOPacketAssembler(maxAttachments: 2);

        ShouldFail(assembler.AddText(Of("""53-["x"]""")), SocketIOErrorCode.TooManyAttachments);
        ShouldWait(assembler.AddText(Of("""52-["x"]""")));
        assembler.MaxAttachments.ShouldBe(2);
    }

    [Theory]
    [InlineData("5-3-[\"x\"]", SocketIOErrorCode.InvalidAttachmentCount)]
    [InlineData("5x-[\"x\"]", SocketIOErrorCode.InvalidAttachmentCount)]
    [InlineData("599999999999999999999-[\"x\"]", SocketIOErrorCode.TooManyAttachments)]
    [InlineData("52-[\"x\",{\"_placeholder\":true,\"num\":2}]", SocketIOErrorCode.InvalidPlaceholder)]
    [InlineData("52-[\"x\",{\"_placeholder\":true,\"num\":\"1\"}]", SocketIOErrorCode.InvalidPlaceholder)]
    [InlineData("52-[\"x\",{\"_placeholder\":true}]", SocketIOErrorCode.InvalidPlaceholder)]
    [InlineData("52-[\"disconnect\"]", SocketIOErrorCode.ReservedEventName)]
    public void BadHeader_FailsBeforeAnyAttachmentIsAwaited(string header, SocketIOErrorCode code)
    {
        var assembler = new SocketIOPacketAssembler();

        ShouldFail(assembler.AddText(Of(header)), code);

        assembler.IsAwaitingAttachments.ShouldBeFalse();
        ShouldFail(assembler.AddBinary(new byte[] { 1 }), SocketIOErrorCode.UnexpectedBinary);
    }

    [Fact]
    public void Reset_DropsThePendingPacket()
    {
        var assembler = new SocketIOPacketAssembler();
        assembler.AddText(Of("""51-["x",{"_placeholder":true,"num":0}]"""));

        assembler.Reset();

        assembler.IsAwaitingAttachments.ShouldBeFalse();
        ShouldFail(assembler.AddBinary(new byte[] { 1 }), SocketIOErrorCode.UnexpectedBinary);
    }

    [Fact]
    public void NonMessagePacket_IsAProgrammingError() =>
        Should.Throw<ArgumentException>(() => new SocketIOPacketAssembler().Add(Ws("2")));

    [Fact]
    public void NegativeMaximum_Throws() =>
        Should.Throw<ArgumentOutOfRangeException>(() => new SocketIOPacketAssembler(-1));

    [Fact]
    public void ResolveArguments_OnAnIncompletePacketOrANonEvent_Throws()
    {
        var header = SocketIOCodec.Decode(Of("""51-["x",{"_placeholder":true,"num":0}]""")).Value;
        var connect = SocketIOCodec.Decode(Of("0")).Value;

        Should.Throw<InvalidOperationException>(() => header.ResolveArguments());
        Should.Throw<InvalidOperationException>(() => connect.ResolveArguments());
    }

    [Fact]
    public void ResolveArguments_ReturnsAFreshTreeEachTime()
    {
        var packet = SocketIOCodec.Decode(Of("""2["x",{"a":1}]""")).Value;

        var first = packet.ResolveArguments();
        first[0]!["a"] = 2;

        packet.ResolveArguments()[0]!["a"]!.GetValue<int>().ShouldBe(1);
        first.ShouldBeOfType<JsonArray>();
    }
}
