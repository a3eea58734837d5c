using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// The Engine.IO <c>open</c> packet the server sends first:
/// <c>0{"sid":"…","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}</c>.
/// </summary>
public static class EngineIOHandshake
{
    /// <summary>The reference server's default ping interval, in milliseconds.</summary>
    public const int DefaultPingInterval = 25_000;

    /// <summary>The reference server's default ping timeout, in milliseconds.</summary>
    public const int DefaultPingTimeout = 20_000;

    /// <summary>The upgrades a session opened over long-polling offers: WebSocket.</summary>
    public static IReadOnlyList<string> PollingUpgrades { get; } = ["websocket"];

    /// <summary>The upgrades a session opened directly over WebSocket offers: none (the compliance suite checks <c>[]</c>).</summary>
    public static IReadOnlyList<string> WebSocketUpgrades { get; } = [];

    /// <summary>
    /// Encodes the <c>open</c> packet, fields in the order of the specification. The frame is text
    /// and may be sent as the first WebSocket frame or as a whole polling response.
    /// </summary>
    /// <param name="sid">The session id; any string (it is JSON-escaped).</param>
    /// <param name="upgrades"><see cref="PollingUpgrades"/> or <see cref="WebSocketUpgrades"/>.</param>
    /// <param name="pingInterval">Milliseconds between the server's pings.</param>
    /// <param name="pingTimeout">Milliseconds the client has to answer a ping.</param>
    /// <param name="maxPayload">Largest message or polling body the server accepts, in bytes.</param>
    public static EngineIOFrame Open(string sid, IReadOnlyList<string> upgrades, int pingInterval = DefaultPingInterval, int pingTimeout = DefaultPingTimeout, int maxPayload = EngineIOCodec.DefaultMaxPayload)
    {
        ArgumentNullException.ThrowIfNull(sid);
        ArgumentNullException.ThrowIfNull(upgrades);
        ArgumentOutOfRangeException.ThrowIfNegative(pingInterval);
        ArgumentOutOfRangeException.ThrowIfNegative(pingTimeout);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPayload);
        var frame = new FrameBuilder();
        frame.Raw("0"u8);
        var w = frame.Json();
        w.WriteStartObject();
        w.WriteString("sid"u8, sid);
        w.WriteStartArray("upgrades"u8);
        foreach (var upgrade in upgrades)
        {
            w.WriteStringValue(upgrade);
        }
        w.WriteEndArray();
        w.WriteNumber("pingInterval"u8, pingInterval);
        w.WriteNumber("pingTimeout"u8, pingTimeout);
        w.WriteNumber("maxPayload"u8, maxPayload);
        w.WriteEndObject();
        return EngineIOFrame.Text(frame.ToArray());
    }
}
