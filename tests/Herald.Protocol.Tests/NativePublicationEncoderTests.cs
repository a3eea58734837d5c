using System.Text;
using System.Text.Json;
using Herald.Core;
using Herald.Core.Internal;
using Herald.Messages;

namespace Herald.Protocol.Tests;

public sealed class NativePublicationEncoderTests
{
    private static readonly DateTimeOffset When = new(2024, 1, 15, 10, 30, 0, 123, TimeSpan.Zero);

    private static Publication Publication(string data = """{"status":"RUNNING"}""", string? key = null, IReadOnlyDictionary<string, string>? tags = null, string type = "workspace.status", string channel = "workspace:acme/ws_12") => new()
    {
        Id = "0194a1b2c3d4e5f6a7b8c9d0e1f2a3b4",
        Channel = channel,
        Type = type,
        Data = Encoding.UTF8.GetBytes(data),
        Timestamp = When.ToUnixTimeMilliseconds(),
        Key = key,
        Tags = tags,
    };

    private static JsonElement Json(byte[] frame)
    {
        using var doc = JsonDocument.Parse(frame);
        return doc.RootElement.Clone();
    }

    [Fact]
    public void Encode_WritesTypeChannelDataTimestampAndPublicationId()
    {
        var json = Json(NativePublicationEncoder.Instance.Encode(Publication()));

        json.EnumerateObject().Select(p => p.Name).ShouldBe(["type", "channel", "data", "timestamp", "publicationId"]);
        json.GetProperty("type").GetString().ShouldBe("workspace.status");
        json.GetProperty("channel").GetString().ShouldBe("workspace:acme/ws_12");
        json.GetProperty("data").GetProperty("status").GetString().ShouldBe("RUNNING");
        json.GetProperty("publicationId").GetString().ShouldBe("0194a1b2c3d4e5f6a7b8c9d0e1f2a3b4");
    }

    [Fact]
    public void Encode_TimestampIsIso8601Utc()
    {
        var json = Json(NativePublicationEncoder.Instance.Encode(Publication()));

        var timestamp = json.GetProperty("timestamp").GetString().ShouldNotBeNull();
        timestamp.ShouldBe("2024-01-15T10:30:00.123Z");
        json.GetProperty("timestamp").GetDateTimeOffset().ShouldBe(When);
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
        var frame = NativePublicationEncoder.Instance.Encode(Publication(data));

        Json(frame).GetProperty("data").GetRawText().ShouldBe(data);
        Encoding.UTF8.GetString(frame).ShouldContain("\"data\":" + data);
    }

    [Fact]
    public void Encode_WithKeyAndTags_WritesThem()
    {
        var tags = new Dictionary<string, string> { ["status"] = "failed", ["workflow_id"] = "wf_1" };

        var json = Json(NativePublicationEncoder.Instance.Encode(Publication(key: "ws_12", tags: tags)));

        json.GetProperty("key").GetString().ShouldBe("ws_12");
        var written = json.GetProperty("tags").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        written.ShouldBe(new Dictionary<string, string?> { ["status"] = "failed", ["workflow_id"] = "wf_1" });
    }

    [Fact]
    public void Encode_WithoutKeyOrWithEmptyTags_OmitsThem()
    {
        var json = Json(NativePublicationEncoder.Instance.Encode(Publication(tags: new Dictionary<string, string>())));

        json.TryGetProperty("key", out _).ShouldBeFalse();
        json.TryGetProperty("tags", out _).ShouldBeFalse();
    }

    [Fact]
    public void Encode_EscapesStringsThatNeedIt()
    {
        var tags = new Dictionary<string, string> { ["we\"ird\n"] = "va\"lue</script>" };

        var json = Json(NativePublicationEncoder.Instance.Encode(Publication(key: "k\"ey", tags: tags, type: "a.b")));

        json.GetProperty("key").GetString().ShouldBe("k\"ey");
        json.GetProperty("tags").GetProperty("we\"ird\n").GetString().ShouldBe("va\"lue</script>");
    }

    [Fact]
    public void Encode_ReturnsANewArrayEachTime()
    {
        var first = NativePublicationEncoder.Instance.Encode(Publication("{\"n\":1}"));
        var copy = first.ToArray();

        var second = NativePublicationEncoder.Instance.Encode(Publication("{\"n\":2}"));

        first.ShouldBe(copy);
        ReferenceEquals(first, second).ShouldBeFalse();
    }

    [Fact]
    public void Encode_HugePublication_ThenSmallOne_BothCorrect()
    {
        var big = "{\"pad\":\"" + new string('x', 200_000) + "\"}";

        var bigFrame = NativePublicationEncoder.Instance.Encode(Publication(big));
        var smallFrame = NativePublicationEncoder.Instance.Encode(Publication());

        Json(bigFrame).GetProperty("data").GetRawText().ShouldBe(big);
        Json(smallFrame).GetProperty("data").GetProperty("status").GetString().ShouldBe("RUNNING");
    }

    [Fact]
    public async Task Encode_FromManyThreadsAtOnce_EveryFrameMatchesItsPublication()
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            start.Wait(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 500; i++)
            {
                var data = $"{{\"t\":{t},\"i\":{i},\"pad\":\"{new string('p', i % 50)}\"}}";
                var json = Json(NativePublicationEncoder.Instance.Encode(Publication(data, key: $"k{t}_{i}")));
                json.GetProperty("data").GetRawText().ShouldBe(data);
                json.GetProperty("key").GetString().ShouldBe($"k{t}_{i}");
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void Instance_IsOneSharedEncoder_WithASlotPerNode()
    {
        NativePublicationEncoder.Instance.ShouldBeSameAs(NativePublicationEncoder.Instance);
        var first = new EncoderRegistry();
        var second = new EncoderRegistry();
        second.SlotOf(SsePublicationEncoder.Instance).ShouldBe(0);

        first.SlotOf(NativePublicationEncoder.Instance).ShouldBe(0);
        second.SlotOf(NativePublicationEncoder.Instance).ShouldBe(1);
        first.SlotOf(NativePublicationEncoder.Instance).ShouldBe(0);
    }
}
