using System.Text.Json;
using static Herald.Protocol.SocketIO.Tests.Bytes;

namespace Herald.Protocol.SocketIO.Tests;

public sealed class EngineIOHandshakeTests
{
    [Fact]
    public void Open_Polling_IsTheSpecExample()
    {
        var frame = EngineIOHandshake.Open("lv_VI97HAXpY6yYWAAAC", EngineIOHandshake.PollingUpgrades, 25000, 5000, 1000000);

        Text(frame).ShouldBe("""0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":5000,"maxPayload":1000000}""");
    }

    [Fact]
    public void Open_WebSocket_OffersNoUpgrade()
    {
        var frame = EngineIOHandshake.Open("s1", EngineIOHandshake.WebSocketUpgrades, 300, 200, 1000000);

        Text(frame).ShouldBe("""0{"sid":"s1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}""");
    }

    [Fact]
    public void Open_HasExactlyTheKeysTheComplianceSuiteChecks_AndDecodesAsAnOpenPacket()
    {
        var frame = EngineIOHandshake.Open("abc", EngineIOHandshake.PollingUpgrades);

        var packet = EngineIOCodec.DecodeText(frame.Bytes).Value;
        packet.Type.ShouldBe(EngineIOPacketType.Open);
        using var json = JsonDocument.Parse(packet.Data);
        json.RootElement.EnumerateObject().Select(p => p.Name).ShouldBe(["sid", "upgrades", "pingInterval", "pingTimeout", "maxPayload"]);
        json.RootElement.GetProperty("pingInterval").GetInt32().ShouldBe(EngineIOHandshake.DefaultPingInterval);
        json.RootElement.GetProperty("pingTimeout").GetInt32().ShouldBe(EngineIOHandshake.DefaultPingTimeout);
        json.RootElement.GetProperty("maxPayload").GetInt32().ShouldBe(EngineIOCodec.DefaultMaxPayload);
    }

    [Fact]
    public void Open_EscapesTheSid()
    {
        var frame = EngineIOHandshake.Open("a\"b\\c", EngineIOHandshake.WebSocketUpgrades);

        using var json = JsonDocument.Parse(frame.Bytes[1..]);
        json.RootElement.GetProperty("sid").GetString().ShouldBe("a\"b\\c");
    }

    [Fact]
    public void Open_BadArguments_Throw()
    {
        Should.Throw<ArgumentNullException>(() => EngineIOHandshake.Open(null!, EngineIOHandshake.PollingUpgrades));
        Should.Throw<ArgumentOutOfRangeException>(() => EngineIOHandshake.Open("s", EngineIOHandshake.PollingUpgrades, pingInterval: -1));
        Should.Throw<ArgumentOutOfRangeException>(() => EngineIOHandshake.Open("s", EngineIOHandshake.PollingUpgrades, maxPayload: 0));
    }
}
