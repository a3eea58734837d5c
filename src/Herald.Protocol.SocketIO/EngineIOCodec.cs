using System.Buffers;
using System.Buffers.Text;
using System.Text.Unicode;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Engine.IO v4 packet encoding (github.com/socketio/engine.io-protocol): text packets
/// (<c>&lt;type digit&gt;[data]</c>), binary messages (raw bytes over WebSocket, <c>b</c>+base64 in
/// polling payloads) and long-polling payloads (packets joined with the record separator
/// <c>0x1E</c>). Pure functions over bytes; thread-safe.
/// </summary>
/// <remarks>
/// Decoders never throw for malformed input: they return a failed <see cref="SocketIOResult{T}"/>.
/// The protocol says the session must then be closed. Decoded packets alias the input (see
/// <see cref="EngineIOPacket"/>). <c>maxPayload</c> bounds a whole WebSocket message or polling body,
/// as the reference server's <c>maxHttpBufferSize</c> does; a transport should also stop reading
/// a body once it exceeds the limit, which this codec cannot do for it.
/// </remarks>
public static class EngineIOCodec
{
    /// <summary>The record separator between packets of a long-polling payload.</summary>
    public const byte RecordSeparator = 0x1E;

    /// <summary>The reference server's default <c>maxPayload</c> (1 MB).</summary>
    public const int DefaultMaxPayload = 1_000_000;

    /// <summary>The prefix of a base64 binary packet in a polling payload.</summary>
    public const byte Base64Prefix = (byte)'b';

    /// <summary>The body of a successful long-polling <c>POST</c>.</summary>
    public static ReadOnlySpan<byte> PostOk => "ok"u8;

    /// <summary>The content type of long-polling bodies in v4 (binary travels as base64).</summary>
    public const string PollingContentType = "text/plain; charset=UTF-8";

    /// <summary>
    /// Decodes one text packet: a WebSocket text frame, or one record of a polling payload.
    /// A <c>b</c> prefix denotes a base64 binary message (decoded into a new array; padding is
    /// required, ASCII whitespace is skipped). Any other packet must be valid UTF-8.
    /// </summary>
    /// <param name="frame">The packet's bytes.</param>
    /// <param name="maxPayload">Largest accepted frame, in bytes.</param>
    /// <returns>The packet, or <see cref="SocketIOErrorCode.EmptyPacket"/>, <see cref="SocketIOErrorCode.UnknownPacketType"/>,
    /// <see cref="SocketIOErrorCode.InvalidBase64"/>, <see cref="SocketIOErrorCode.InvalidUtf8"/>, <see cref="SocketIOErrorCode.PayloadTooLarge"/>.</returns>
    public static SocketIOResult<EngineIOPacket> DecodeText(ReadOnlyMemory<byte> frame, int maxPayload = DefaultMaxPayload)
    {
        if (frame.Length > maxPayload)
        {
            return TooLarge(frame.Length, maxPayload);
        }
        return DecodeRecord(frame);
    }

    /// <summary>Decodes a WebSocket binary frame: always a binary message, whose data is the frame itself.</summary>
    /// <returns>The packet, or <see cref="SocketIOErrorCode.PayloadTooLarge"/>.</returns>
    public static SocketIOResult<EngineIOPacket> DecodeBinary(ReadOnlyMemory<byte> frame, int maxPayload = DefaultMaxPayload) =>
        frame.Length > maxPayload
            ? TooLarge(frame.Length, maxPayload)
            : SocketIOResult<EngineIOPacket>.Success(EngineIOPacket.BinaryMessage(frame));

    /// <summary>
    /// Decodes the body of a long-polling <c>POST</c>: one or more packets separated by
    /// <c>0x1E</c>. All or nothing: the first bad record fails the whole payload (the session must
    /// then be closed), and its position is in the message.
    /// </summary>
    public static SocketIOResult<IReadOnlyList<EngineIOPacket>> DecodePayload(ReadOnlyMemory<byte> body, int maxPayload = DefaultMaxPayload)
    {
        if (body.Length > maxPayload)
        {
            return SocketIOResult<IReadOnlyList<EngineIOPacket>>.Failure(SocketIOErrorCode.PayloadTooLarge, $"payload of {body.Length} bytes exceeds maxPayload {maxPayload}");
        }
        if (body.IsEmpty)
        {
            return SocketIOResult<IReadOnlyList<EngineIOPacket>>.Failure(SocketIOErrorCode.EmptyPacket, "empty payload");
        }
        var packets = new List<EngineIOPacket>();
        var rest = body;
        while (true)
        {
            var separator = rest.Span.IndexOf(RecordSeparator);
            var record = separator < 0 ? rest : rest[..separator];
            var result = DecodeRecord(record);
            if (!result.TryGetValue(out var packet, out var error))
            {
                return SocketIOResult<IReadOnlyList<EngineIOPacket>>.Failure(error.Code, $"packet {packets.Count + 1} of the payload: {error.Message}");
            }
            packets.Add(packet);
            if (separator < 0)
            {
                return SocketIOResult<IReadOnlyList<EngineIOPacket>>.Success(packets);
            }
            rest = rest[(separator + 1)..];
        }
    }

    private static SocketIOResult<EngineIOPacket> DecodeRecord(ReadOnlyMemory<byte> record)
    {
        var span = record.Span;
        if (span.IsEmpty)
        {
            return SocketIOResult<EngineIOPacket>.Failure(SocketIOErrorCode.EmptyPacket, "empty packet");
        }
        var first = span[0];
        if (first == Base64Prefix)
        {
            return DecodeBase64(span[1..]);
        }
        if (first is < (byte)'0' or > (byte)'6')
        {
            return SocketIOResult<EngineIOPacket>.Failure(SocketIOErrorCode.UnknownPacketType, $"unknown packet type {Describe(first)}");
        }
        if (!Utf8.IsValid(span))
        {
            return SocketIOResult<EngineIOPacket>.Failure(SocketIOErrorCode.InvalidUtf8, "text packet is not valid UTF-8");
        }
        return SocketIOResult<EngineIOPacket>.Success(EngineIOPacket.Text((EngineIOPacketType)(first - '0'), record[1..]));
    }

    private static SocketIOResult<EngineIOPacket> DecodeBase64(ReadOnlySpan<byte> base64)
    {
        var bytes = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        var status = Base64.DecodeFromUtf8(base64, bytes, out var consumed, out var written);
        if (status != OperationStatus.Done || consumed != base64.Length)
        {
            return SocketIOResult<EngineIOPacket>.Failure(SocketIOErrorCode.InvalidBase64, "binary packet is not valid base64");
        }
        return SocketIOResult<EngineIOPacket>.Success(EngineIOPacket.BinaryMessage(bytes.AsMemory(0, written)));
    }

    private static SocketIOResult<EngineIOPacket> TooLarge(int length, int maxPayload) =>
        SocketIOResult<EngineIOPacket>.Failure(SocketIOErrorCode.PayloadTooLarge, $"frame of {length} bytes exceeds maxPayload {maxPayload}");

    internal static string Describe(byte b) => b is >= 0x20 and < 0x7F ? $"'{(char)b}'" : $"0x{b:X2}";

    // ---- Encoding -----------------------------------------------------------------------------

    /// <summary>
    /// Encodes a packet as a frame: the type digit followed by the data for a text packet, the data
    /// itself (not copied) for a binary one.
    /// </summary>
    public static EngineIOFrame Encode(EngineIOPacket packet)
    {
        if (packet.IsBinary)
        {
            return EngineIOFrame.Binary(packet.Data);
        }
        var bytes = new byte[1 + packet.Data.Length];
        bytes[0] = (byte)('0' + (int)packet.Type);
        packet.Data.Span.CopyTo(bytes.AsSpan(1));
        return EngineIOFrame.Text(bytes);
    }

    /// <summary>The number of bytes a frame takes in a polling payload (separator excluded).</summary>
    public static int GetPayloadLength(EngineIOFrame frame) =>
        frame.IsBinary ? 1 + Base64.GetMaxEncodedToUtf8Length(frame.Bytes.Length) : frame.Bytes.Length;

    /// <summary>
    /// Encodes frames as a long-polling response body: text frames verbatim, binary frames as
    /// <c>b</c>+base64, separated by <c>0x1E</c>. The frames are the same ones a WebSocket would
    /// send, so an encoded publication is shared by both transports.
    /// </summary>
    /// <exception cref="ArgumentException">No frames, an empty text frame, or a text frame containing <c>0x1E</c> (it would split the packet).</exception>
    public static byte[] EncodePayload(IReadOnlyList<EngineIOFrame> frames)
    {
        var buffer = new ArrayBufferWriter<byte>(GetPayloadLength(frames));
        WritePayload(buffer, frames);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Writes what <see cref="EncodePayload"/> returns into <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentException">As for <see cref="EncodePayload"/>; nothing is written then.</exception>
    public static void WritePayload(IBufferWriter<byte> output, IReadOnlyList<EngineIOFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(output);
        var length = GetPayloadLength(frames);
        var span = output.GetSpan(length);
        var at = 0;
        for (var i = 0; i < frames.Count; i++)
        {
            if (i > 0)
            {
                span[at++] = RecordSeparator;
            }
            var frame = frames[i];
            if (frame.IsBinary)
            {
                span[at++] = Base64Prefix;
                Base64.EncodeToUtf8(frame.Bytes.Span, span[at..], out _, out var written);
                at += written;
            }
            else
            {
                frame.Bytes.Span.CopyTo(span[at..]);
                at += frame.Bytes.Length;
            }
        }
        output.Advance(at);
    }

    private static int GetPayloadLength(IReadOnlyList<EngineIOFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("A payload holds at least one packet.", nameof(frames));
        }
        var length = frames.Count - 1;
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            if (!frame.IsBinary && (frame.Bytes.IsEmpty || frame.Bytes.Span.Contains(RecordSeparator)))
            {
                throw new ArgumentException($"Frame {i} is empty or contains the record separator 0x1E.", nameof(frames));
            }
            length = checked(length + GetPayloadLength(frame));
        }
        return length;
    }
}
