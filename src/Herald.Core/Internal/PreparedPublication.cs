using Herald.Messages;

namespace Herald.Core.Internal;

/// <summary>
/// A publication on its way to subscribers, with a per-encoder cache of its encoded frame so that
/// the encoding happens once however many subscribers receive it. Thread-safe: concurrent callers
/// may both encode, but all then share whichever result was stored first.
/// </summary>
internal sealed class PreparedPublication
{
    private readonly byte[]?[] _frames;

    /// <param name="publication">The publication.</param>
    /// <param name="slots">How many encoder slots to cache (the node's <see cref="EncoderRegistry.Count"/>).</param>
    public PreparedPublication(Publication publication, int slots)
    {
        Publication = publication;
        _frames = new byte[]?[slots];
    }

    public Publication Publication { get; }

    /// <summary>The frame for the encoder in <paramref name="slot"/>, encoded on first use.</summary>
    public byte[] GetFrame(PublicationEncoder encoder, int slot)
    {
        if ((uint)slot >= (uint)_frames.Length)
        {
            // An encoder registered after this publication was prepared: rare, not cached.
            return encoder.Encode(Publication);
        }
        var frame = Volatile.Read(ref _frames[slot]);
        if (frame is not null)
        {
            return frame;
        }
        frame = encoder.Encode(Publication);
        return Interlocked.CompareExchange(ref _frames[slot], frame, null) ?? frame;
    }
}
