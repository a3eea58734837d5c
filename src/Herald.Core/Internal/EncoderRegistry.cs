using Herald.Messages;

namespace Herald.Core.Internal;

/// <summary>
/// The encoders a node's connections use, each with the index of its frame in
/// <see cref="PreparedPublication"/>'s cache. Owned by one <see cref="Node"/>: two nodes in one
/// process never share slots. Encoders register on first use (a transport's, a Socket.IO
/// namespace's); there is no fixed limit. Thread-safe; lookups take no lock.
/// </summary>
internal sealed class EncoderRegistry
{
    private readonly Lock _gate = new();
    private volatile PublicationEncoder[] _encoders = [];

    /// <summary>How many encoders are registered; a publication prepared now caches this many frames.</summary>
    public int Count => _encoders.Length;

    /// <summary>The slot of an encoder, registering it the first time.</summary>
    public int SlotOf(PublicationEncoder encoder)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var index = Array.IndexOf(_encoders, encoder);
        if (index >= 0)
        {
            return index;
        }
        lock (_gate)
        {
            index = Array.IndexOf(_encoders, encoder);
            if (index < 0)
            {
                index = _encoders.Length;
                _encoders = [.. _encoders, encoder];
            }
            return index;
        }
    }
}
