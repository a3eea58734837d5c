namespace Herald.Messages;

/// <summary>
/// Turns a publication into the bytes of one frame of a wire protocol. The node encodes each
/// publication at most once per encoder and hands the same bytes to every subscriber using that
/// encoder (the core's encoder registry). Implementations must be thread-safe and must not
/// keep the returned array.
/// </summary>
public abstract class PublicationEncoder
{
    /// <summary>Encodes the publication as a complete frame payload.</summary>
    public abstract byte[] Encode(Publication publication);

    /// <summary>
    /// False for a protocol that frames every publication on its own (Server-Sent Events, whose
    /// event ids are per connection): batched channels then reach it one publication per frame.
    /// </summary>
    public virtual bool SupportsBatches => true;

    /// <summary>
    /// Encodes several publications of one channel as one frame (batched delivery) from their
    /// frames as <see cref="Encode"/> made them, so that nothing is encoded twice.
    /// </summary>
    public abstract byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames);
}
