using System.Text;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// One decoded Engine.IO packet: a type and an optional payload. A text packet's
/// <see cref="Data"/> is the UTF-8 text after the type digit; a binary packet is always a
/// <see cref="EngineIOPacketType.Message"/> whose <see cref="Data"/> is the raw bytes.
/// </summary>
/// <remarks>
/// Packets decoded by <see cref="EngineIOCodec"/> alias the input buffer (except base64 packets,
/// which are decoded into a new array): consume them, or copy what must outlive the frame,
/// before the buffer is reused. <see cref="SocketIOPacketAssembler"/> copies what it keeps.
/// </remarks>
public readonly struct EngineIOPacket
{
    /// <summary>Creates a packet; prefer the static factories.</summary>
    public EngineIOPacket(EngineIOPacketType type, ReadOnlyMemory<byte> data, bool isBinary)
    {
        if (isBinary && type != EngineIOPacketType.Message)
        {
            throw new ArgumentException("Only message packets can be binary.", nameof(isBinary));
        }
        Type = type;
        Data = data;
        IsBinary = isBinary;
    }

    /// <summary>The packet type.</summary>
    public EngineIOPacketType Type { get; }

    /// <summary>The payload: UTF-8 text after the type digit, or the raw bytes of a binary message. Empty when there is none.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>True for a binary message (a WebSocket binary frame, or a <c>b</c>+base64 record in a polling payload).</summary>
    public bool IsBinary { get; }

    /// <summary>True for <c>2probe</c> / <c>3probe</c>, the ping and pong of an upgrade.</summary>
    public bool IsProbe => !IsBinary && Type is EngineIOPacketType.Ping or EngineIOPacketType.Pong && Data.Span.SequenceEqual("probe"u8);

    /// <summary>A text packet of the given type, with optional UTF-8 data.</summary>
    public static EngineIOPacket Text(EngineIOPacketType type, ReadOnlyMemory<byte> data = default) => new(type, data, isBinary: false);

    /// <summary>A binary message packet.</summary>
    public static EngineIOPacket BinaryMessage(ReadOnlyMemory<byte> data) => new(EngineIOPacketType.Message, data, isBinary: true);

    /// <summary>For diagnostics and tests: <c>message "hello"</c> or <c>message binary[4]</c>.</summary>
    public override string ToString() => IsBinary
        ? $"{Type.ToString().ToLowerInvariant()} binary[{Data.Length}]"
        : $"{Type.ToString().ToLowerInvariant()} \"{Encoding.UTF8.GetString(Data.Span)}\"";
}
