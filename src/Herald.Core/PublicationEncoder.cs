namespace Herald.Core;

/// <summary>
/// Turns a publication into the bytes of one frame of a wire protocol. The node encodes each
/// publication at most once per encoder and hands the same bytes to every subscriber using that
/// encoder. Implementations must be thread-safe and must not keep the returned array.
/// </summary>
public abstract class PublicationEncoder
{
    /// <summary>Maximum encoders a process can register (native, Socket.IO per namespace, SSE …).</summary>
    public const int MaxEncoders = 8;

    private static int s_next = -1;

    protected PublicationEncoder()
    {
        Slot = Interlocked.Increment(ref s_next);
        if (Slot >= MaxEncoders)
        {
            throw new InvalidOperationException($"At most {MaxEncoders} publication encoders may exist in a process.");
        }
    }

    /// <summary>This encoder's index in <see cref="PreparedPublication"/>'s cache.</summary>
    public int Slot { get; }

    /// <summary>Encodes the publication as a complete frame payload.</summary>
    public abstract byte[] Encode(Publication publication);

    /// <summary>Encodes several publications of one channel as one frame (batched delivery), reusing their cached frames.</summary>
    public abstract byte[] EncodeBatch(string channel, IReadOnlyList<PreparedPublication> publications);
}

/// <summary>
/// A publication on its way to subscribers, with a per-encoder cache of its encoded frame so that
/// the encoding happens once however many subscribers receive it. Thread-safe: concurrent callers
/// may both encode, but all then share whichever result was stored first.
/// </summary>
public sealed class PreparedPublication(Publication publication)
{
    private readonly byte[]?[] _frames = new byte[]?[PublicationEncoder.MaxEncoders];

    public Publication Publication { get; } = publication;

    /// <summary>The frame for this encoder, encoded on first use.</summary>
    public byte[] GetFrame(PublicationEncoder encoder)
    {
        var frame = Volatile.Read(ref _frames[encoder.Slot]);
        if (frame is not null)
        {
            return frame;
        }
        frame = encoder.Encode(Publication);
        return Interlocked.CompareExchange(ref _frames[encoder.Slot], frame, null) ?? frame;
    }
}
