using System.Text;
using System.Text.Json;
using Herald.Messages;
using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>
/// Publications as Socket.IO events, in the main namespace and in another.
/// </summary>
public sealed class SocketIOPublicationEncoderTests
{
    private static readonly DateTimeOffset When = new(2024, 1, 15, 10, 30, 0, 123, TimeSpan.Zero);

    private static readonly SocketIOPublicationEncoder Main = new("/");

    private static readonly SocketIOPublicationEncoder Admin = new("/admin");

    private static Publication Publication(
        string data = """{"status":"RUNNING"}""",
        string? key = null,
        IReadOnlyDictionary<string, string>? tags = null,
        string type = "workspace.status",
        string channel = "workspace:acme/ws_12",
        string id = "0194a1b2c3d4e5f6a7b8c9d0e1f2a3b4",
        string? epoch = null,
        long offset = 0) => new()
    {
        Id = id,
        Channel = channel,
        Type = type,
        Data = Encoding.UTF8.GetBytes(data),
        Timestamp = When.ToUnixTimeMilliseconds(),
        Key = key,
        Tags = tags,
        Epoch = epoch,
        Offset = offset,
    };

    /// <summary>Strips the <c>42</c> (and namespace) prefix and parses the event array.</summary>
    private static JsonElement EventArray(byte[] frame, string prefix = "42")
    {
        Text(frame).ShouldStartWith(prefix + "[");
        using var doc = JsonDocument.Parse(frame.AsMemory(Encoding.UTF8.GetByteCount(prefix)));
        doc.RootElement.ValueKind.ShouldBe(JsonValueKind.Array);
        doc.RootElement.GetArrayLength().ShouldBe(2);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Encode_IsAnEventNamedByTheType_WithThePublicationFields()
    {
        var array = EventArray(Main.Encode(Publication()));

        array[0].GetString().ShouldBe("workspace.status");
        var fields = array[1];
        fields.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "channel", "data", "timestamp", "publicationId"]);
        fields.GetProperty("type").GetString().ShouldBe("workspace.status");
        fields.GetProperty("channel").GetString().ShouldBe("workspace:acme/ws_12");
        fields.GetProperty("data").GetProperty("status").GetString().ShouldBe("RUNNING");
        fields.GetProperty("timestamp").GetString().ShouldBe("2024-01-15T10:30:00.123Z");
        fields.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(When);
        fields.GetProperty("publicationId").GetString().ShouldBe("0194a1b2c3d4e5f6a7b8c9d0e1f2a3b4");
    }

    [Fact]
    public void Encode_WithHistoryKeyAndTags_WritesEveryField()
    {
        var tags = new Dictionary<string, string> { ["status"] = "failed", ["workflow_id"] = "wf_1" };

        var fields = EventArray(Main.Encode(Publication(key: "ws_12", tags: tags, epoch: "e1", offset: 42)))[1];

        fields.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "channel", "data", "offset", "epoch", "timestamp", "publicationId", "key", "tags"]);
        fields.GetProperty("offset").GetInt64().ShouldBe(42);
        fields.GetProperty("epoch").GetString().ShouldBe("e1");
        fields.GetProperty("key").GetString().ShouldBe("ws_12");
        fields.GetProperty("tags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString())
            .ShouldBe(new Dictionary<string, string?> { ["status"] = "failed", ["workflow_id"] = "wf_1" });
    }

    [Fact]
    public void Encode_WithoutKeyOrWithEmptyTags_OmitsThem()
    {
        var fields = EventArray(Main.Encode(Publication(tags: new Dictionary<string, string>())))[1];

        fields.TryGetProperty("key", out _).ShouldBeFalse();
        fields.TryGetProperty("tags", out _).ShouldBeFalse();
        fields.TryGetProperty("offset", out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("""{"status":"RUNNING"}""")]
    [InlineData("""{ "spaced" : [ 1 , 2.50 , -0 ] , "nested" : { "a" : null } }""")]
    [InlineData("""{"unicode":"é\u00e9\ud83d\ude00","escaped":"a\"b\\c\/d"}""")]
    [InlineData("""[1,"two",{"three":3}]""")]
    [InlineData("\"just a string\"")]
    [InlineData("12.5e-3")]
    [InlineData("true")]
    [InlineData("null")]
    [InlineData("{}")]
    public void Encode_EmbedsDataVerbatim(string data)
    {
        var frame = Main.Encode(Publication(data));

        EventArray(frame)[1].GetProperty("data").GetRawText().ShouldBe(data);
        Text(frame).ShouldContain("\"data\":" + data + ",");
    }

    [Fact]
    public void Encode_CustomNamespace_PrefixesTheNamespace()
    {
        var frame = Admin.Encode(Publication());

        Text(frame).ShouldStartWith("""42/admin,["workspace.status",{"type":"workspace.status","channel":""");
        EventArray(frame, "42/admin,")[0].GetString().ShouldBe("workspace.status");
    }

    [Fact]
    public void Encode_IsAValidSocketIOEvent_OverWebSocketAndPolling()
    {
        var frame = Admin.Encode(Publication(key: "k"));

        var message = EngineIOCodec.DecodeText(frame).Value;
        var packet = SocketIOCodec.Decode(message.Data).Value;
        packet.Type.ShouldBe(SocketIOPacketType.Event);
        packet.Namespace.ShouldBe("/admin");
        packet.EventName.ShouldBe("workspace.status");
        packet.AckId.ShouldBeNull();
        packet.ResolveArguments()[0]!["key"]!.GetValue<string>().ShouldBe("k");

        var polled = EngineIOCodec.DecodePayload(EngineIOCodec.EncodePayload([EngineIOFrame.Text(frame), EngineIOFrame.Ping])).Value;
        polled[0].Data.ToArray().ShouldBe(frame[1..]);
        polled[1].Type.ShouldBe(EngineIOPacketType.Ping);
    }

    [Fact]
    public void Encode_EscapesStringsThatNeedIt()
    {
        var tags = new Dictionary<string, string> { ["we\"ird\n"] = "va\"lue</script>" };

        var array = EventArray(Main.Encode(Publication(key: "k\"ey", tags: tags, type: "a\"b,{c", channel: "ch\u001e")));

        array[0].GetString().ShouldBe("a\"b,{c");
        array[1].GetProperty("key").GetString().ShouldBe("k\"ey");
        array[1].GetProperty("channel").GetString().ShouldBe("ch\u001e");
        array[1].GetProperty("tags").GetProperty("we\"ird\n").GetString().ShouldBe("va\"lue</script>");
    }

    [Fact]
    public void Encode_NeverContainsTheRecordSeparator_SoPollingCanJoinIt() =>
        Main.Encode(Publication(type: "t\u001e", channel: "c\u001e", key: "\u001e")).ShouldNotContain((byte)0x1E);

    // ---- Batches -----------------------------------------------------------------------------

    [Fact]
    public void EncodeBatch_IsOneBatchEvent_MadeOfTheArgumentObjects()
    {
        byte[][] batch =
        [
            Main.Encode(Publication("""{"n":1}""", id: "p1", epoch: "e", offset: 1)),
            Main.Encode(Publication("""{"n":2}""", id: "p2", epoch: "e", offset: 2, type: "task.progress", key: "k")),
        ];

        var frame = Main.EncodeBatch("workspace:acme/ws_12", batch);

        var array = EventArray(frame);
        array[0].GetString().ShouldBe("batch");
        array[1].EnumerateObject().Select(p => p.Name).ShouldBe(["channel", "publications"]);
        array[1].GetProperty("channel").GetString().ShouldBe("workspace:acme/ws_12");
        var items = array[1].GetProperty("publications").EnumerateArray().ToArray();
        items.Length.ShouldBe(2);
        items[0].GetProperty("publicationId").GetString().ShouldBe("p1");
        items[0].GetProperty("type").GetString().ShouldBe("workspace.status");
        items[1].GetProperty("type").GetString().ShouldBe("task.progress");
        items[1].GetProperty("data").GetRawText().ShouldBe("""{"n":2}""");
        for (var i = 0; i < batch.Length; i++)
        {
            // Each item is byte for byte the argument object of the publication's own frame.
            var single = EventArray(batch[i])[1].GetRawText();
            items[i].GetRawText().ShouldBe(single);
        }
    }

    [Fact]
    public void EncodeBatch_SplicesTheGivenFramesWithoutEncodingAgain()
    {
        // A frame the encoder could not have written itself: the batch must take it as given.
        var given = Encoding.UTF8.GetBytes("42[\"x\",{\"spliced\":true}]");

        var frame = Main.EncodeBatch("c", [given]);

        Text(frame).ShouldBe("""42["batch",{"channel":"c","publications":[{"spliced":true}]}]""");
    }

    [Fact]
    public void EncodeBatch_CustomNamespace_WithTrickyTypes()
    {
        byte[][] batch = [Admin.Encode(Publication(type: "a\",{\"b")), Admin.Encode(Publication(type: "[x]", data: "[1,{\"y\":2}]"))];

        var frame = Admin.EncodeBatch("ch", batch);

        Text(frame).ShouldStartWith("""42/admin,["batch",{"channel":"ch","publications":[{"type":""");
        var items = EventArray(frame, "42/admin,")[1].GetProperty("publications").EnumerateArray().ToArray();
        items[0].GetProperty("type").GetString().ShouldBe("a\",{\"b");
        items[1].GetProperty("data").GetRawText().ShouldBe("[1,{\"y\":2}]");
        var packet = SocketIOCodec.Decode(EngineIOCodec.DecodeText(frame).Value.Data).Value;
        packet.Namespace.ShouldBe("/admin");
        packet.EventName.ShouldBe("batch");
    }

    [Fact]
    public void EncodeBatch_Empty_IsAnEmptyList() =>
        Text(Main.EncodeBatch("ch", [])).ShouldBe("""42["batch",{"channel":"ch","publications":[]}]""");

    [Fact]
    public async Task EncodeAndEncodeBatch_FromManyThreadsAtOnce_StayCorrect()
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            start.Wait(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 300; i++)
            {
                var data = $"{{\"t\":{t},\"i\":{i},\"pad\":\"{new string('p', i % 50)}\"}}";
                byte[][] batch = [Main.Encode(Publication(data, key: $"k{t}_{i}")), Main.Encode(Publication(data, id: $"{t}_{i}"))];
                var items = EventArray(Main.EncodeBatch("ch", batch))[1].GetProperty("publications").EnumerateArray().ToArray();
                items[0].GetProperty("data").GetRawText().ShouldBe(data);
                items[0].GetProperty("key").GetString().ShouldBe($"k{t}_{i}");
                items[1].GetProperty("publicationId").GetString().ShouldBe($"{t}_{i}");
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public void Encode_HugePublication_ThenSmallOne_BothCorrect()
    {
        var big = "{\"pad\":\"" + new string('x', 200_000) + "\"}";

        var bigFrame = Main.Encode(Publication(big));
        var smallFrame = Main.Encode(Publication());

        EventArray(bigFrame)[1].GetProperty("data").GetRawText().ShouldBe(big);
        EventArray(smallFrame)[1].GetProperty("data").GetProperty("status").GetString().ShouldBe("RUNNING");
    }

    // ---- One instance per namespace ----------------------------------------------------------

    [Fact]
    public void Constructor_KeepsTheNamespace()
    {
        Admin.ShouldNotBeSameAs(Main);
        Admin.Namespace.ShouldBe("/admin");
        Main.Namespace.ShouldBe("/");
    }

    [Fact]
    public void TwoInstancesOfOneNamespace_WriteTheSameFrames()
    {
        var publication = Publication();

        new SocketIOPublicationEncoder("/admin").Encode(publication).ShouldBe(Admin.Encode(publication));
    }

    [Theory]
    [InlineData("admin")]
    [InlineData("")]
    [InlineData("/a,b")]
    public void Constructor_BadNamespace_Throws(string @namespace) =>
        Should.Throw<ArgumentException>(() => new SocketIOPublicationEncoder(@namespace));
}
