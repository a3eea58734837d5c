using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Every way a Socket.IO packet can be malformed: each gives its documented error and nothing throws.</summary>
public sealed class SocketIOCodecMalformedTests
{
    private static SocketIOError Fail(string text, SocketIOErrorCode code, int maxAttachments = SocketIOPacketAssembler.DefaultMaxAttachments) =>
        Fail(Of(text), code, maxAttachments);

    private static SocketIOError Fail(byte[] bytes, SocketIOErrorCode code, int maxAttachments = SocketIOPacketAssembler.DefaultMaxAttachments)
    {
        var result = SocketIOCodec.Decode(bytes, maxAttachments);
        result.IsSuccess.ShouldBeFalse();
        result.Error.Code.ShouldBe(code, result.Error.Message);
        result.Error.Message.ShouldNotBeNullOrWhiteSpace();
        return result.Error;
    }

    [Fact]
    public void EmptyPacket() => Fail("", SocketIOErrorCode.EmptyPacket);

    [Theory]
    [InlineData("abc")]
    [InlineData("7")]
    [InlineData("8[\"x\"]")]
    [InlineData("/admin,0")]
    [InlineData("[\"foo\"]")]
    [InlineData(" 2[\"foo\"]")]
    [InlineData("-1")]
    public void UnknownPacketType(string text) => Fail(text, SocketIOErrorCode.UnknownPacketType);

    [Fact]
    public void ComplianceSuite_4abc_IsAnUnknownSocketIOPacketType()
    {
        var message = EngineIOCodec.DecodeText(Of("4abc")).Value;

        var result = SocketIOCodec.Decode(message.Data);

        result.Error.Code.ShouldBe(SocketIOErrorCode.UnknownPacketType);
    }

    // ---- Bad JSON ----------------------------------------------------------------------------

    [Theory]
    [InlineData("2[\"foo\"")]
    [InlineData("2[\"foo\",]")]
    [InlineData("2[\"foo\"]x")]
    [InlineData("2[\"foo\"] [\"bar\"]")]
    [InlineData("2['foo']")]
    [InlineData("2[\"foo\",{\"a\":}]")]
    [InlineData("2[\"foo\",/*c*/1]")]
    [InlineData("0{\"token\":\"123\"")]
    [InlineData("0{token:1}")]
    [InlineData("3/admin,13[\"bar\"")]
    [InlineData("2 ")]
    [InlineData("2[\"foo\"]\u001e")]
    [InlineData("4{\"message\":\"x\"}}")]
    public void BadJson_IsInvalidJson(string text) => Fail(text, SocketIOErrorCode.InvalidJson);

    [Fact]
    public void DeeplyNestedJson_IsInvalidJson_WithoutOverflowingTheStack() =>
        Fail("2[\"x\"," + new string('[', 100_000) + new string(']', 100_000) + "]", SocketIOErrorCode.InvalidJson);

    [Theory]
    [InlineData(new byte[] { (byte)'2', (byte)'[', (byte)'"', 0xFF, (byte)'"', (byte)']' })]
    [InlineData(new byte[] { (byte)'0', (byte)'/', 0xC3, (byte)',' })]
    public void InvalidUtf8(byte[] bytes) => Fail(bytes, SocketIOErrorCode.InvalidUtf8);

    // ---- Payload of the wrong kind -----------------------------------------------------------

    [Theory]
    [InlineData("2{}")]
    [InlineData("2[]")]
    [InlineData("2[ ]")]
    [InlineData("2")]
    [InlineData("2/admin,")]
    [InlineData("212")]
    [InlineData("2\"foo\"")]
    [InlineData("2true")]
    [InlineData("2null")]
    [InlineData("2[1]")]
    [InlineData("2[null]")]
    [InlineData("2[[\"foo\"]]")]
    [InlineData("2[{\"name\":\"foo\"}]")]
    [InlineData("0[]")]
    [InlineData("0\"token\"")]
    [InlineData("0null")]
    [InlineData("0/admin,[]")]
    [InlineData("1{}")]
    [InlineData("1/admin,{}")]
    [InlineData("1\"bye\"")]
    [InlineData("31{}")]
    [InlineData("31\"x\"")]
    [InlineData("31")]
    [InlineData("4[]")]
    [InlineData("4")]
    [InlineData("50-{}")]
    [InlineData("50-[]")]
    [InlineData("61-1{}")]
    public void PayloadOfTheWrongKind_IsInvalidPayload(string text) => Fail(text, SocketIOErrorCode.InvalidPayload);

    [Fact]
    public void ComplianceSuite_42Object_IsInvalidPayload()
    {
        var message = EngineIOCodec.DecodeText(Of("42{}")).Value;

        SocketIOCodec.Decode(message.Data).Error.Code.ShouldBe(SocketIOErrorCode.InvalidPayload);
    }

    [Fact]
    public void EventNameWithLoneSurrogate_IsInvalidPayload() => Fail("""2["\uD800"]""", SocketIOErrorCode.InvalidPayload);

    // ---- Ack ids -----------------------------------------------------------------------------

    [Theory]
    [InlineData("2abc[\"message-with-ack\",1,\"2\",{\"3\":[false]}]")]
    [InlineData("212abc[\"x\"]")]
    [InlineData("2x[\"x\"]")]
    [InlineData("2/admin,abc[\"x\"]")]
    [InlineData("3abc[]")]
    public void AckIdWithLetters_IsInvalidAckId(string text) => Fail(text, SocketIOErrorCode.InvalidAckId);

    [Theory]
    [InlineData("2-1[\"x\"]")]
    [InlineData("2/admin,-12[\"x\"]")]
    [InlineData("3-5[]")]
    public void NegativeAckId_IsInvalidAckId(string text) => Fail(text, SocketIOErrorCode.InvalidAckId);

    [Theory]
    [InlineData("22147483648[\"x\"]")]
    [InlineData("299999999999999999999999999999[\"x\"]")]
    [InlineData("3/admin,4294967296[]")]
    [InlineData("62-99999999999[]")]
    public void AckIdOverflow_IsInvalidAckId(string text) => Fail(text, SocketIOErrorCode.InvalidAckId);

    [Theory]
    [InlineData("3[\"bar\"]")]
    [InlineData("3/admin,[]")]
    [InlineData("61-[{\"_placeholder\":true,\"num\":0}]")]
    public void AckWithoutAckId_IsInvalidAckId(string text) => Fail(text, SocketIOErrorCode.InvalidAckId);

    [Theory]
    [InlineData("012")]
    [InlineData("012{}")]
    [InlineData("0/admin,1{}")]
    [InlineData("13")]
    [InlineData("1/admin,3")]
    [InlineData("47{\"message\":\"x\"}")]
    public void AckIdOnAPacketThatHasNone_IsInvalidAckId(string text) => Fail(text, SocketIOErrorCode.InvalidAckId);

    // ---- Attachment counts -------------------------------------------------------------------

    [Theory]
    [InlineData("5[\"x\"]")]
    [InlineData("5")]
    [InlineData("6")]
    [InlineData("5-[\"x\"]")]
    [InlineData("5--1-[\"x\"]")]
    [InlineData("5a-[\"x\"]")]
    [InlineData("5one-[\"x\"]")]
    [InlineData("51a-[\"x\"]")]
    [InlineData("5 1-[\"x\"]")]
    [InlineData("5+1-[\"x\"]")]
    [InlineData("51.0-[\"x\"]")]
    [InlineData("51e1-[\"x\"]")]
    [InlineData("5/admin,1-[\"x\"]")]
    [InlineData("5[\"x-y\"]")]
    [InlineData("6-1-3[]")]
    public void MissingNegativeOrNonNumericAttachmentCount_IsInvalidAttachmentCount(string text) =>
        Fail(text, SocketIOErrorCode.InvalidAttachmentCount);

    [Theory]
    [InlineData("511-[\"x\"]")]
    [InlineData("51000000-[\"x\"]")]
    [InlineData("52147483648-[\"x\"]")]
    [InlineData("5999999999999999999999999999999999999999-[\"x\"]")]
    [InlineData("699999999999-1[]")]
    public void HugeAttachmentCount_IsTooManyAttachments(string text) => Fail(text, SocketIOErrorCode.TooManyAttachments);

    [Fact]
    public void AttachmentCountOverTheConfiguredMaximum_IsTooManyAttachments()
    {
        var error = Fail("53-[\"x\"]", SocketIOErrorCode.TooManyAttachments, maxAttachments: 2);

        error.Message.ShouldContain("2");
        SocketIOCodec.Decode(Of("52-[\"x\"]"), maxAttachments: 2).IsSuccess.ShouldBeTrue();
    }

    [Fact]
    public void NoAttachmentsAllowed_RefusesAnyBinaryPacket()
    {
        Fail("51-[\"x\"]", SocketIOErrorCode.TooManyAttachments, maxAttachments: 0);
        SocketIOCodec.Decode(Of("50-[\"x\"]"), maxAttachments: 0).IsSuccess.ShouldBeTrue();
    }

    // ---- Placeholders ------------------------------------------------------------------------

    [Theory]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":1}]")]
    [InlineData("52-[\"x\",{\"_placeholder\":true,\"num\":2}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":-1}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":4294967296}]")]
    [InlineData("50-[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    [InlineData("51-[\"x\",{\"a\":[{\"b\":{\"_placeholder\":true,\"num\":7}}]}]")]
    [InlineData("61-3[{\"_placeholder\":true,\"num\":1}]")]
    public void PlaceholderOutOfRange_IsInvalidPlaceholder(string text)
    {
        var error = Fail(text, SocketIOErrorCode.InvalidPlaceholder);

        error.Message.ShouldContain("outside");
    }

    [Theory]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":\"0\"}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":0.5}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":0.0}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":1e0}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":null}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":[0]}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":true}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"num\":0,\"num\":\"0\"}]")]
    public void PlaceholderNumNotAnInteger_IsInvalidPlaceholder(string text)
    {
        var error = Fail(text, SocketIOErrorCode.InvalidPlaceholder);

        error.Message.ShouldContain("not an integer");
    }

    [Theory]
    [InlineData("51-[\"x\",{\"_placeholder\":true}]")]
    [InlineData("51-[\"x\",{\"_placeholder\":true,\"nums\":0}]")]
    [InlineData("61-1[{\"_placeholder\":true,\"Num\":0}]")]
    public void PlaceholderWithoutNum_IsInvalidPlaceholder(string text)
    {
        var error = Fail(text, SocketIOErrorCode.InvalidPlaceholder);

        error.Message.ShouldContain("without 'num'");
    }

    // ---- Reserved event names ----------------------------------------------------------------

    [Theory]
    [InlineData("connect")]
    [InlineData("connect_error")]
    [InlineData("disconnect")]
    [InlineData("disconnecting")]
    [InlineData("newListener")]
    [InlineData("removeListener")]
    public void ReservedEventName_InEveryEventForm(string name)
    {
        Fail($"2[\"{name}\"]", SocketIOErrorCode.ReservedEventName);
        Fail($"2/admin,7[\"{name}\",1]", SocketIOErrorCode.ReservedEventName);
        Fail($"50-[\"{name}\"]", SocketIOErrorCode.ReservedEventName);
        Fail($"51-/admin,[\"{name}\",{{\"_placeholder\":true,\"num\":0}}]", SocketIOErrorCode.ReservedEventName);
    }

    [Fact]
    public void ReservedEventName_Escaped_IsStillReserved() => Fail("""2["\u0063onnect"]""", SocketIOErrorCode.ReservedEventName);

    // ---- Namespaces --------------------------------------------------------------------------

    [Theory]
    [InlineData("2admin,[\"x\"]")]
    [InlineData("0admin,")]
    [InlineData("0admin,{\"token\":\"1\"}")]
    [InlineData("1admin,")]
    [InlineData("3admin,12[]")]
    [InlineData("51-admin,[\"x\",{\"_placeholder\":true,\"num\":0}]")]
    public void NamespaceWithoutLeadingSlash_IsInvalidNamespace(string text)
    {
        var error = Fail(text, SocketIOErrorCode.InvalidNamespace);

        error.Message.ShouldContain("'/'");
    }

    // ---- Never throws ------------------------------------------------------------------------

    [Fact]
    public void RandomMutationsOfValidPackets_NeverThrow()
    {
        string[] validPackets =
        [
            "0", "0/admin,{\"token\":\"123\"}", "1/admin,", "2[\"foo\",1,{\"a\":[true]}]", "2/admin,13[\"x\"]", "312[\"bar\"]",
            "4{\"message\":\"no\"}", "52-/admin,9[\"baz\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]",
            "61-15[\"bar\",{\"_placeholder\":true,\"num\":0}]",
        ];
        var random = new Random(20240115);
        var alphabet = Of("0123456789-/,[]{}\":_placeholdernumtrue \\ué\u001e");
        for (var i = 0; i < 30_000; i++)
        {
            var bytes = Of(validPackets[random.Next(validPackets.Length)]).ToList();
            for (var m = random.Next(1, 4); m > 0; m--)
            {
                var at = random.Next(bytes.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when bytes.Count > 0 && at < bytes.Count:
                        bytes.RemoveAt(at);
                        break;
                    case 1:
                        bytes.Insert(at, random.Next(4) == 0 ? (byte)random.Next(256) : alphabet[random.Next(alphabet.Length)]);
                        break;
                    default:
                        if (at < bytes.Count)
                        {
                            bytes[at] = alphabet[random.Next(alphabet.Length)];
                        }
                        break;
                }
            }
            var input = bytes.ToArray();
            var assembler = new SocketIOPacketAssembler(maxAttachments: 3);
            var result = assembler.AddText(input);
            if (result.TryGetValue(out var packet, out var error))
            {
                if (packet is not null && (packet.IsEvent || packet.IsAck))
                {
                    packet.ResolveArguments();
                }
                if (assembler.IsAwaitingAttachments)
                {
                    for (var k = 0; k < 3 && assembler.IsAwaitingAttachments; k++)
                    {
                        var more = assembler.AddBinary(new byte[] { (byte)k });
                        if (more.IsSuccess && more.Value is { } complete)
                        {
                            complete.ResolveArguments();
                        }
                    }
                }
            }
            else
            {
                error.Code.ShouldNotBe(SocketIOErrorCode.None);
            }
            EngineIOCodec.DecodePayload(input, 64);
            EngineIOCodec.DecodeText(input, 64);
        }
    }
}
