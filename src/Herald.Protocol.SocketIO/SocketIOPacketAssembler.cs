namespace Herald.Protocol.SocketIO;

/// <summary>
/// Turns the Engine.IO messages of one connection into complete Socket.IO packets: a text message
/// is decoded with <see cref="SocketIOCodec.Decode"/>; a BINARY_EVENT or BINARY_ACK header that
/// announces N attachments is held until the next N binary messages arrive, then returned with
/// them. One instance per Engine.IO session (not per namespace: attachments follow their header
/// whatever its namespace).
/// </summary>
/// <remarks>
/// <para>Not thread-safe: feed it from the connection's single reader, in arrival order.</para>
/// <para>Never throws for malformed input. After a failure it is reset (the pending header and its
/// attachments are dropped); both protocols say the connection must then be closed.</para>
/// <para>Attachments are copied, so the transport may reuse its receive buffers. The memory held
/// while waiting is bounded by <see cref="MaxAttachments"/> times the Engine.IO <c>maxPayload</c>.</para>
/// </remarks>
public sealed class SocketIOPacketAssembler
{
    /// <summary>The default <see cref="MaxAttachments"/>.</summary>
    public const int DefaultMaxAttachments = 10;

    private SocketIOPacket? _pending;
    private List<byte[]>? _attachments;

    /// <summary>Creates an assembler that accepts at most <paramref name="maxAttachments"/> attachments per packet.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxAttachments"/> is negative.</exception>
    public SocketIOPacketAssembler(int maxAttachments = DefaultMaxAttachments)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAttachments);
        MaxAttachments = maxAttachments;
    }

    /// <summary>Most attachments one binary packet may announce; larger counts are refused with <see cref="SocketIOErrorCode.TooManyAttachments"/>.</summary>
    public int MaxAttachments { get; }

    /// <summary>True while a binary header waits for attachments.</summary>
    public bool IsAwaitingAttachments => _pending is not null;

    /// <summary>
    /// Adds one Engine.IO message packet (text or binary).
    /// </summary>
    /// <returns>
    /// A complete packet; or a success with a null value when a binary header still waits for
    /// attachments; or the reason the input was refused (including
    /// <see cref="SocketIOErrorCode.UnexpectedText"/> and <see cref="SocketIOErrorCode.UnexpectedBinary"/>).
    /// </returns>
    /// <exception cref="ArgumentException">The packet is not a message (the transport handles ping, pong, close … itself).</exception>
    public SocketIOResult<SocketIOPacket?> Add(EngineIOPacket message)
    {
        if (message.Type != EngineIOPacketType.Message)
        {
            throw new ArgumentException($"Only message packets carry Socket.IO packets, not {message.Type}.", nameof(message));
        }
        return message.IsBinary ? AddBinary(message.Data) : AddText(message.Data);
    }

    /// <summary>Adds the data of an Engine.IO text message (without the <c>4</c>).</summary>
    public SocketIOResult<SocketIOPacket?> AddText(ReadOnlyMemory<byte> data)
    {
        if (_pending is not null)
        {
            var expected = _pending.AttachmentCount - _attachments!.Count;
            Reset();
            return Failure(SocketIOErrorCode.UnexpectedText, $"a text packet arrived while {expected} attachment(s) were still expected");
        }
        var result = SocketIOCodec.Decode(data, MaxAttachments);
        if (!result.TryGetValue(out var packet, out var error))
        {
            return SocketIOResult<SocketIOPacket?>.Failure(error);
        }
        if (!packet.IsComplete)
        {
            _pending = packet;
            _attachments = new List<byte[]>(packet.AttachmentCount);
            return SocketIOResult<SocketIOPacket?>.Success(null);
        }
        return SocketIOResult<SocketIOPacket?>.Success(packet);
    }

    /// <summary>Adds a binary message: the next attachment of the pending binary packet.</summary>
    public SocketIOResult<SocketIOPacket?> AddBinary(ReadOnlyMemory<byte> attachment)
    {
        if (_pending is null)
        {
            return Failure(SocketIOErrorCode.UnexpectedBinary, "a binary message arrived while no binary packet was expecting attachments");
        }
        _attachments!.Add(attachment.ToArray());
        if (_attachments.Count < _pending.AttachmentCount)
        {
            return SocketIOResult<SocketIOPacket?>.Success(null);
        }
        var packet = _pending.WithAttachments(_attachments);
        _pending = null;
        _attachments = null;
        return SocketIOResult<SocketIOPacket?>.Success(packet);
    }

    /// <summary>Drops a pending binary packet, if any.</summary>
    public void Reset()
    {
        _pending = null;
        _attachments = null;
    }

    private static SocketIOResult<SocketIOPacket?> Failure(SocketIOErrorCode code, string message) =>
        SocketIOResult<SocketIOPacket?>.Failure(code, message);
}
