namespace Herald.Protocol.SocketIO;

/// <summary>
/// One encoded Engine.IO packet, ready for the wire: over WebSocket, send <see cref="Bytes"/> as
/// one text or binary frame according to <see cref="IsBinary"/>; over long-polling, join frames
/// with <see cref="EngineIOCodec.EncodePayload"/>. A text frame includes its type digit
/// (<c>42["event"]</c>); a binary frame is the raw attachment bytes.
/// </summary>
/// <remarks>The static frames are shared, immutable instances: never write into their memory.</remarks>
public readonly struct EngineIOFrame
{
    /// <summary>Wraps encoded bytes; the caller guarantees they form one Engine.IO packet.</summary>
    public EngineIOFrame(ReadOnlyMemory<byte> bytes, bool isBinary)
    {
        Bytes = bytes;
        IsBinary = isBinary;
    }

    /// <summary>The frame's bytes: type digit and UTF-8 data for text, raw bytes for binary.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>True when the frame must go out as a WebSocket binary frame (base64 in a polling payload).</summary>
    public bool IsBinary { get; }

    /// <summary>An encoded text packet (type digit included).</summary>
    public static EngineIOFrame Text(ReadOnlyMemory<byte> bytes) => new(bytes, isBinary: false);

    /// <summary>A binary message.</summary>
    public static EngineIOFrame Binary(ReadOnlyMemory<byte> bytes) => new(bytes, isBinary: true);

    /// <summary><c>1</c>: close.</summary>
    public static EngineIOFrame Close { get; } = Text("1"u8.ToArray());

    /// <summary><c>2</c>: the server's heartbeat ping.</summary>
    public static EngineIOFrame Ping { get; } = Text("2"u8.ToArray());

    /// <summary><c>3</c>: a pong (the server normally receives these rather than sends them).</summary>
    public static EngineIOFrame Pong { get; } = Text("3"u8.ToArray());

    /// <summary><c>3probe</c>: the server's answer to <c>2probe</c> on the new WebSocket during an upgrade.</summary>
    public static EngineIOFrame PongProbe { get; } = Text("3probe"u8.ToArray());

    /// <summary><c>6</c>: noop, ends a pending poll during an upgrade or after a close.</summary>
    public static EngineIOFrame Noop { get; } = Text("6"u8.ToArray());
}
