using System.Text;
using System.Text.Json;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Protocol.Tests;

/// <summary>Byte fixtures for <see cref="NativeCodec.TryParse"/>: every message type and every way a frame can be malformed.</summary>
public sealed partial class NativeCodecTests
{
    private static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);

    private static NativeFrame Parse(byte[] frame)
    {
        NativeCodec.TryParse(frame, out var request, out var error).ShouldBeTrue(error.Message);
        error.ShouldBe(default);
        return request;
    }

    private static NativeFrame Parse(string json) => Parse(Bytes(json));

    private static (NativeFrame Request, HeraldError Error) Fail(byte[] frame)
    {
        NativeCodec.TryParse(frame, out var request, out var error).ShouldBeFalse();
        error.Message.ShouldNotBeNullOrWhiteSpace();
        return (request, error);
    }

    private static (NativeFrame Request, HeraldError Error) Fail(string json) => Fail(Bytes(json));

    private static void IdShouldBe(NativeFrame request, string rawJson) =>
        Encoding.UTF8.GetString(request.Id.ShouldNotBeNull()).ShouldBe(rawJson);

    // ---- Every message type ------------------------------------------------------------------

    [Fact]
    public void TryParse_ConnectWithTopLevelToken()
    {
        var request = Parse("""{"type":"connect","id":"c1","token":"eyJ.abc.def"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Connect);
        request.TypeName.ShouldBe("connect");
        request.Fields.Token.ShouldBe("eyJ.abc.def");
        IdShouldBe(request, "\"c1\"");
    }

    [Fact]
    public void TryParse_ConnectWithApiKey_CarriesTheKeyInTheRequest()
    {
        var request = Parse("""{"type":"connect","id":"c1","apiKey":"sk_0123456789abcdef"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Connect);
        var connect = request.Request.ShouldBeOfType<ConnectRequest>();
        connect.ApiKey.ShouldBe("sk_0123456789abcdef");
        connect.Token.ShouldBeNull();
    }

    [Fact]
    public void TryParse_ConnectWithApiKeyInsideData_ReadsIt()
    {
        var request = Parse("""{"type":"connect","data":{"apiKey":"sk_inner"}}"""u8.ToArray());

        request.Request.ShouldBeOfType<ConnectRequest>().ApiKey.ShouldBe("sk_inner");
    }

    [Fact]
    public void TryParse_ConnectWithTokenInsideData()
    {
        var request = Parse("""{"type":"connect","id":7,"data":{"token":"eyJ.inner.sig"}}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Connect);
        request.Fields.Token.ShouldBe("eyJ.inner.sig");
        IdShouldBe(request, "7");
    }

    [Fact]
    public void TryParse_ConnectWithDataBeforeType_StillReadsTheTokenInsideData()
    {
        var request = Parse("""{"data":{"token":"inner"},"id":"x","type":"connect"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Connect);
        request.Fields.Token.ShouldBe("inner");
    }

    [Fact]
    public void TryParse_ConnectWithTokenInBothPlaces_TopLevelWins()
    {
        Parse("""{"type":"connect","data":{"token":"inner"},"token":"outer"}""").Fields.Token.ShouldBe("outer");
        Parse("""{"type":"connect","token":"outer","data":{"token":"inner"}}""").Fields.Token.ShouldBe("outer");
    }

    [Fact]
    public void TryParse_PingWithId()
    {
        var request = Parse("""{"type":"ping","id":"p1"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Ping);
        IdShouldBe(request, "\"p1\"");
    }

    [Fact]
    public void TryParse_PingWithoutId_HasNoId()
    {
        var request = Parse("""{"type":"ping"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Ping);
        request.Id.ShouldBeNull();
        request.Fields.Channel.ShouldBeNull();
        request.Fields.Data.IsEmpty.ShouldBeTrue();
        request.Fields.HasFilters.ShouldBeFalse();
    }

    [Fact]
    public void TryParse_Pong()
    {
        Parse("""{"type":"pong"}"""u8.ToArray()).Kind.ShouldBe(RequestKind.Pong);
    }

    [Fact]
    public void TryParse_SubscribeWithArrayFilters()
    {
        var request = Parse("""{"type":"subscribe","id":"s1","channel":"executions:acme","filters":{"status":["running","failed"],"workflow_id":["wf_1"]}}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Subscribe);
        request.Fields.Channel.ShouldBe("executions:acme");
        request.Fields.HasFilters.ShouldBeTrue();
        var filters = request.Fields.Filters.ShouldNotBeNull();
        filters.Count.ShouldBe(2);
        filters["status"].ShouldBe(["running", "failed"]);
        filters["workflow_id"].ShouldBe(["wf_1"]);
    }

    [Fact]
    public void TryParse_SubscribeWithSingleStringFilters_ReadsThemAsOneValueLists()
    {
        var request = Parse("""{"type":"subscribe","channel":"executions:acme","filters":{"status":"failed","workflow_id":["wf_1","wf_2"]}}"""u8.ToArray());

        var filters = request.Fields.Filters.ShouldNotBeNull();
        filters["status"].ShouldBe(["failed"]);
        filters["workflow_id"].ShouldBe(["wf_1", "wf_2"]);
    }

    [Fact]
    public void TryParse_SubscribeWithEmptyFilterObjectAndEmptyArray()
    {
        Parse("""{"type":"subscribe","channel":"org:acme","filters":{}}""").Fields.Filters.ShouldNotBeNull().ShouldBeEmpty();
        Parse("""{"type":"subscribe","channel":"org:acme","filters":{"status":[]}}""").Fields.Filters.ShouldNotBeNull()["status"].ShouldBeEmpty();
    }

    [Fact]
    public void TryParse_SubscribeWithoutFilters_HasNone()
    {
        var request = Parse("""{"type":"subscribe","channel":"org:acme"}"""u8.ToArray());

        request.Fields.HasFilters.ShouldBeFalse();
        request.Fields.Filters.ShouldBeNull();
    }

    [Fact]
    public void TryParse_SubscribeWithChannelAndFiltersInsideData()
    {
        var request = Parse("""{"type":"subscribe","id":"s","timestamp":"2024-01-15T10:30:00Z","data":{"channel":"executions:acme","filters":{"status":["failed"]}}}"""u8.ToArray());

        request.Fields.Channel.ShouldBe("executions:acme");
        request.Fields.HasFilters.ShouldBeTrue();
        request.Fields.Filters.ShouldNotBeNull()["status"].ShouldBe(["failed"]);
    }

    [Fact]
    public void TryParse_SubscribeWithChannelInBothPlaces_TopLevelWins()
    {
        var request = Parse("""{"type":"subscribe","channel":"org:acme","data":{"channel":"org:globex","filters":{"a":"b"}}}"""u8.ToArray());

        request.Fields.Channel.ShouldBe("org:acme");
        request.Fields.Filters.ShouldNotBeNull()["a"].ShouldBe(["b"]);
    }

    [Fact]
    public void TryParse_Unsubscribe()
    {
        var request = Parse("""{"type":"unsubscribe","id":"u1","channel":"workspace:acme/ws_12"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Unsubscribe);
        request.Fields.Channel.ShouldBe("workspace:acme/ws_12");
        IdShouldBe(request, "\"u1\"");
    }

    [Fact]
    public void TryParse_UpdateFilterWithNullFilters_ClearsThem()
    {
        var request = Parse("""{"type":"update_filter","id":"f1","channel":"executions:acme","filters":null}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.UpdateFilter);
        request.Fields.Channel.ShouldBe("executions:acme");
        request.Fields.HasFilters.ShouldBeTrue();
        request.Fields.Filters.ShouldBeNull();
    }

    [Fact]
    public void TryParse_UpdateFilterWithNullFiltersInsideData()
    {
        var request = Parse("""{"type":"update_filter","data":{"channel":"executions:acme","filters":null}}"""u8.ToArray());

        request.Fields.Channel.ShouldBe("executions:acme");
        request.Fields.HasFilters.ShouldBeTrue();
        request.Fields.Filters.ShouldBeNull();
    }

    [Fact]
    public void TryParse_UpdateFilterWithFilters()
    {
        var request = Parse("""{"type":"update_filter","channel":"executions:acme","filters":{"workflow_id":["wf_2"]}}"""u8.ToArray());

        request.Fields.Filters.ShouldNotBeNull()["workflow_id"].ShouldBe(["wf_2"]);
    }

    [Fact]
    public void TryParse_PublishWithEventDataTagsAndKey()
    {
        var frame = """{"type":"publish","id":"p1","channel":"chat:acme/room_1","event":"chat.message","data":{"text":"hi \u00e9","n":[1, 2.5,null],"o":{}},"tags":{"room":"room_1","lang":"fr"},"key":"msg_1"}"""u8.ToArray();

        var request = Parse(frame);

        request.Kind.ShouldBe(RequestKind.Publish);
        request.Fields.Channel.ShouldBe("chat:acme/room_1");
        request.Fields.PublicationType.ShouldBe("chat.message");
        Encoding.UTF8.GetString(request.Fields.Data.Span).ShouldBe("""{"text":"hi \u00e9","n":[1, 2.5,null],"o":{}}""");
        request.Fields.Tags.ShouldNotBeNull().ShouldBe(new Dictionary<string, string> { ["room"] = "room_1", ["lang"] = "fr" });
        request.Fields.Key.ShouldBe("msg_1");
        IdShouldBe(request, "\"p1\"");
    }

    [Fact]
    public void TryParse_PublishData_IsASliceOfTheFrameNotACopy()
    {
        var frame = """{"type":"publish","channel":"chat:acme","event":"e","data":{"a":1}}"""u8.ToArray();

        var request = Parse(frame);

        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(request.Fields.Data, out var segment).ShouldBeTrue();
        segment.Array.ShouldBeSameAs(frame);
    }

    [Fact]
    public void TryParse_PublishDataFields_AreNotReadAsEnvelopeFields()
    {
        var request = Parse("""{"type":"publish","channel":"chat:acme","event":"e","data":{"channel":"org:globex","token":"t","key":"k","tags":{"a":"b"},"filters":{"x":"y"}}}"""u8.ToArray());

        request.Fields.Channel.ShouldBe("chat:acme");
        request.Fields.Token.ShouldBeNull();
        request.Fields.Key.ShouldBeNull();
        request.Fields.Tags.ShouldBeNull();
        request.Fields.HasFilters.ShouldBeFalse();
    }

    [Fact]
    public void TryParse_PublishDataFieldsWithOddTypes_AreNotValidated()
    {
        var request = Parse("""{"type":"publish","channel":"chat:acme","event":"e","data":{"channel":5,"tags":[1]}}"""u8.ToArray());

        request.Fields.Channel.ShouldBe("chat:acme");
    }

    [Theory]
    [InlineData("\"text\"")]
    [InlineData("42")]
    [InlineData("-1.5e3")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("[1,{\"a\":[]},\"x\"]")]
    [InlineData("{ \"spaced\" : [ 1 , 2 ] }")]
    public void TryParse_DataOfAnyJsonKind_IsKeptVerbatim(string data)
    {
        var request = Parse($$"""{"type":"publish","channel":"chat:acme","event":"e","data":{{data}},"key":"k"}""");

        Encoding.UTF8.GetString(request.Fields.Data.Span).ShouldBe(data);
        request.Fields.Key.ShouldBe("k");
    }

    [Fact]
    public void TryParse_UnknownFieldsOfAnyShape_AreIgnored()
    {
        var request = Parse("""{"type":"ping","timestamp":"2024-01-15T10:30:00Z","extra":{"a":[1,{"b":[{}]}]},"n":1.5,"flag":false,"nil":null,"id":"x"}"""u8.ToArray());

        request.Kind.ShouldBe(RequestKind.Ping);
        IdShouldBe(request, "\"x\"");
    }

    [Fact]
    public void TryParse_WhitespaceAroundTheObject_IsAccepted()
    {
        Parse(" \r\n\t{ \"type\" : \"ping\" , \"id\" : 1 } \n").Kind.ShouldBe(RequestKind.Ping);
    }

    [Fact]
    public void TryParse_FrameSliceOfLargerBuffer_ReadsOnlyTheSlice()
    {
        var buffer = Bytes("garbage{\"type\":\"ping\",\"id\":\"s\"}garbage");
        var frame = new ReadOnlyMemory<byte>(buffer, 7, buffer.Length - 14);

        NativeCodec.TryParse(frame, out var request, out _).ShouldBeTrue();

        IdShouldBe(request, "\"s\"");
    }

    // ---- Ids ---------------------------------------------------------------------------------

    [Theory]
    [InlineData("\"abc\"")]
    [InlineData("\"\"")]
    [InlineData("\"req-1_2.3\"")]
    [InlineData("\"é日本\"")]
    [InlineData("0")]
    [InlineData("7")]
    [InlineData("-5")]
    [InlineData("12345678901")]
    [InlineData("9223372036854775807")]
    [InlineData("-9223372036854775808")]
    public void TryParse_Id_IsKeptAsTheRawJsonBytes(string id)
    {
        var request = Parse($$"""{"type":"ping","id":{{id}}}""");

        request.Id.ShouldBe(Bytes(id));
    }

    [Fact]
    public void TryParse_IdAfterOtherFields_IsKeptVerbatim()
    {
        IdShouldBe(Parse("""{"type":"subscribe","channel":"org:acme","id":42}"""), "42");
    }

    [Fact]
    public void TryParse_IdOfExactly128Characters_IsAccepted()
    {
        var id = new string('i', NativeCodec.MaxIdLength);

        IdShouldBe(Parse($$"""{"type":"ping","id":"{{id}}"}"""), $"\"{id}\"");
    }

    [Theory]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"\\u0041\"", "A")]
    [InlineData("\"line\\nbreak\"", "line\nbreak")]
    [InlineData("\"slash\\/\"", "slash/")]
    public void TryParse_EscapedStringId_IsEchoedAsEquivalentValidJson(string id, string value)
    {
        var request = Parse($$"""{"type":"ping","id":{{id}}}""");

        using var doc = JsonDocument.Parse(request.Id.ShouldNotBeNull());
        doc.RootElement.GetString().ShouldBe(value);
    }

    [Fact]
    public void TryParse_NullId_IsTreatedAsAbsent()
    {
        Parse("""{"type":"ping","id":null}""").Id.ShouldBeNull();
    }

    // ---- Malformed frames --------------------------------------------------------------------

    public static TheoryData<string> BadRequestFrames() => new()
    {
        // not JSON
        "hello",
        "{type:\"ping\"}",
        "{'type':'ping'}",
        "{\"type\":\"ping\",}",
        "{\"type\":\"ping\" \"id\":1}",
        "{\"type\":\"ping\"/*c*/}",
        // truncated
        "",
        "   ",
        "{",
        "{\"type\"",
        "{\"type\":",
        "{\"type\":\"pi",
        "{\"type\":\"ping\"",
        "{\"type\":\"ping\",",
        "{\"type\":\"publish\",\"data\":{\"a\":[1,2",
        // not an object at the top level
        "[{\"type\":\"ping\"}]",
        "[]",
        "42",
        "\"ping\"",
        "true",
        "null",
        // more than one value
        "{\"type\":\"ping\"}{\"type\":\"ping\"}",
        "{\"type\":\"ping\"} {\"type\":\"pong\"}",
        "{\"type\":\"ping\"}\n{\"type\":\"ping\"}",
        "{\"type\":\"ping\"},",
        "{\"type\":\"ping\"}]",
        "{\"type\":\"ping\"}x",
        // missing type
        "{}",
        "{\"id\":\"x\"}",
        "{\"channel\":\"org:acme\",\"data\":{\"type\":\"subscribe\"}}",
        // type not a string
        "{\"type\":5}",
        "{\"type\":null}",
        "{\"type\":true}",
        "{\"type\":[\"ping\"]}",
        "{\"type\":{\"name\":\"ping\"}}",
        // channel not a string
        "{\"type\":\"subscribe\",\"channel\":5}",
        "{\"type\":\"subscribe\",\"channel\":null}",
        "{\"type\":\"subscribe\",\"channel\":[\"org:acme\"]}",
        "{\"type\":\"subscribe\",\"data\":{\"channel\":5}}",
        // token / event / key not strings
        "{\"type\":\"connect\",\"token\":123}",
        "{\"type\":\"connect\",\"data\":{\"token\":{}}}",
        "{\"type\":\"connect\",\"apiKey\":123}",
        "{\"type\":\"connect\",\"apiKey\":null}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":1,\"data\":{}}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"key\":1,\"data\":{}}",
        // filters not an object
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":[\"status\"]}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":\"status\"}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":5}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":true}",
        // filter values not strings
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":[1]}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":[\"a\",null]}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":[\"a\",[\"b\"]]}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":[{\"a\":\"b\"}]}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":5}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":null}}",
        "{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"status\":{\"a\":\"b\"}}}",
        "{\"type\":\"update_filter\",\"data\":{\"channel\":\"org:acme\",\"filters\":{\"status\":[1]}}}",
        // tags not an object of strings
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":{\"a\":1}}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":{\"a\":null}}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":{\"a\":[\"x\"]}}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":{\"a\":{\"b\":\"c\"}}}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":[\"a\"]}",
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":\"a\"}",
        // id of the wrong kind
        "{\"type\":\"ping\",\"id\":{}}",
        "{\"type\":\"ping\",\"id\":{\"a\":1}}",
        "{\"type\":\"ping\",\"id\":[1]}",
        "{\"type\":\"ping\",\"id\":1.5}",
        "{\"type\":\"ping\",\"id\":1.0}",
        "{\"type\":\"ping\",\"id\":1e3}",
        "{\"type\":\"ping\",\"id\":9223372036854775808}",
        "{\"type\":\"ping\",\"id\":true}",
        "{\"type\":\"ping\",\"id\":\"" + new string('i', NativeCodec.MaxIdLength + 1) + "\"}",
        "{\"type\":\"ping\",\"id\":\"" + new string('i', 100_000) + "\"}",
        // nesting deeper than 64
        "{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":" + new string('[', 100) + new string(']', 100) + "}",
        "{\"type\":\"ping\",\"extra\":" + string.Concat(Enumerable.Repeat("{\"a\":", 70)) + "1" + new string('}', 70) + "}",
        "{\"type\":\"ping\",\"extra\":" + new string('[', 10_000) + new string(']', 10_000) + "}",
        "{\"type\":\"ping\",\"extra\":" + new string('[', 10_000),
    };

    [Theory]
    [MemberData(nameof(BadRequestFrames))]
    public void TryParse_MalformedFrame_FailsWithBadRequest(string frame)
    {
        var (_, error) = Fail(frame);

        error.Code.ShouldBe(HeraldErrorCode.BadRequest);
        ((int)error.Code).ShouldBe(107);
    }

    private static byte[] WithRawBytes(string before, byte[] raw, string after) => [.. Bytes(before), .. raw, .. Bytes(after)];

    [Theory]
    [InlineData("{\"type\":\"\\uD800\"}")]
    [InlineData("{\"type\":\"subscribe\",\"channel\":\"org:\\uDC00x\"}")]
    [InlineData("{\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"s\":[\"\\uD800\"]}}")]
    [InlineData("{\"type\":\"publish\",\"channel\":\"chat:acme\",\"event\":\"e\",\"data\":{},\"tags\":{\"a\":\"\\uDFFF\"}}")]
    public void TryParse_LoneSurrogateEscape_FailsWithBadRequest(string frame)
    {
        ShouldFailWithBadRequestWithoutThrowing(Bytes(frame));
    }

    public static TheoryData<byte[]> InvalidUtf8Frames() => new()
    {
        WithRawBytes("{\"type\":\"", [0xFF], "\"}"),
        WithRawBytes("{\"type\":\"subscribe\",\"channel\":\"org:", [0xC3, 0x28], "\"}"),
        WithRawBytes("{\"type\":\"connect\",\"token\":\"", [0xED, 0xA0, 0x80], "\"}"),
    };

    [Theory]
    [MemberData(nameof(InvalidUtf8Frames))]
    public void TryParse_InvalidUtf8InAString_FailsWithBadRequest(byte[] frame)
    {
        ShouldFailWithBadRequestWithoutThrowing(frame);
    }

    [Fact]
    public void TryParse_IdWithInvalidUtf8_FailsWithBadRequest()
    {
        ShouldFailWithBadRequestWithoutThrowing(WithRawBytes("{\"type\":\"ping\",\"id\":\"", [0xFF, 0xFE], "\"}"));
    }

    private static void ShouldFailWithBadRequestWithoutThrowing(byte[] frame)
    {
        var parsed = true;
        HeraldError error = default;
        Should.NotThrow(() => parsed = NativeCodec.TryParse(frame, out _, out error));

        parsed.ShouldBeFalse();
        error.Code.ShouldBe(HeraldErrorCode.BadRequest);
    }

    [Fact]
    public void TryParse_EscapedPropertyNames_AreTheSameNames()
    {
        var request = Parse("""{"typ\u0065":"subscribe","\u0069d":"s1","ch\u0061nnel":"org:acme"}""");

        request.Kind.ShouldBe(RequestKind.Subscribe);
        request.Fields.Channel.ShouldBe("org:acme");
        IdShouldBe(request, "\"s1\"");
    }

    [Theory]
    [InlineData("subscribe_all")]
    [InlineData("PING")]
    [InlineData("Subscribe")]
    [InlineData("")]
    [InlineData("ping ")]
    public void TryParse_UnknownType_FailsWithUnknownMessageType(string type)
    {
        var (request, error) = Fail($$"""{"type":"{{type}}","id":"t1"}""");

        error.Code.ShouldBe(HeraldErrorCode.UnknownMessageType);
        ((int)error.Code).ShouldBe(104);
        request.Request.ShouldBeNull();
        request.TypeName.ShouldBe(type);
        IdShouldBe(request, "\"t1\"");
    }

    [Fact]
    public void TryParse_VeryLongUnknownType_KeepsTheErrorMessageShort()
    {
        var (_, error) = Fail($$"""{"type":"{{new string('x', 10_000)}}"}""");

        error.Code.ShouldBe(HeraldErrorCode.UnknownMessageType);
        error.Message.Length.ShouldBeLessThan(200);
    }

    public static TheoryData<string, string, HeraldErrorCode> FramesFailingAfterTheId() => new()
    {
        { "{\"id\":\"r1\",\"type\":5}", "\"r1\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r2\",\"type\":\"nope\"}", "\"r2\"", HeraldErrorCode.UnknownMessageType },
        { "{\"type\":\"nope\",\"id\":\"r2b\"}", "\"r2b\"", HeraldErrorCode.UnknownMessageType },
        { "{\"id\":3,\"type\":\"subscribe\",\"channel\":5}", "3", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r4\",\"type\":\"ping\"", "\"r4\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r5\",\"type\":\"subscribe\",\"data\":{\"channel\":7}}", "\"r5\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r6\"}", "\"r6\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r7\",\"type\":\"subscribe\",\"channel\":\"org:acme\",\"filters\":{\"s\":[1]}}", "\"r7\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r8\",\"type\":\"publish\",\"tags\":{\"a\":1}}", "\"r8\"", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r9\",\"type\":\"ping\"}{}", "\"r9\"", HeraldErrorCode.BadRequest },
        { "{\"id\":-12,\"type\":\"ping\",\"extra\":" + new string('[', 100) + new string(']', 100) + "}", "-12", HeraldErrorCode.BadRequest },
        { "{\"id\":\"r10\",\"type\":\"ping\",\"id\":{}}", "\"r10\"", HeraldErrorCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(FramesFailingAfterTheId))]
    public void TryParse_ErrorAfterTheId_KeepsTheIdForTheAnswer(string frame, string id, HeraldErrorCode code)
    {
        var (request, error) = Fail(frame);

        error.Code.ShouldBe(code);
        IdShouldBe(request, id);
    }

    [Fact]
    public void TryParse_ErrorBeforeTheId_StillFindsTheId()
    {
        var (request, error) = Fail("""{"type":5,"id":"late"}""");

        error.Code.ShouldBe(HeraldErrorCode.BadRequest);
        Encoding.UTF8.GetString(request.Id!).ShouldBe("\"late\"");
    }

    [Fact]
    public void TryParse_MalformedJsonAfterTheId_KeepsTheId()
    {
        var (request, _) = Fail("""{"id":"first","type":""");

        Encoding.UTF8.GetString(request.Id!).ShouldBe("\"first\"");
    }

    [Fact]
    public void TryParse_TruncatedFrame_ReportsWhereItBroke()
    {
        var (_, error) = Fail("""{"type":"ping","id":""");

        error.Message.ShouldContain("malformed JSON");
    }
}
