using System.Threading.Channels;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Client;

/// <summary>
/// One channel subscription of a <see cref="HeraldClient"/>. It survives reconnects: after each
/// one the client subscribes again from the last publication delivered, so nothing is repeated
/// and, while history holds it, nothing is lost (<see cref="Recovered"/> says whether it was).
/// </summary>
public sealed class HeraldSubscription
{
    private readonly Channel<Publication> _queue;

    internal HeraldSubscription(string channel, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, StreamPosition? since, int capacity)
    {
        Channel = channel;
        Filters = filters;
        Position = since;
        _queue = System.Threading.Channels.Channel.CreateBounded<Publication>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    }

    /// <summary>The channel.</summary>
    public string Channel { get; }

    /// <summary>The tag filters the server applies.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Filters { get; }

    /// <summary>The position of the last publication delivered (or of the channel when subscribed); resubscribes start after it.</summary>
    public StreamPosition? Position { get; private set; }

    /// <summary>Whether the namespace keeps history, so that a gap can be recovered.</summary>
    public bool Recoverable { get; internal set; }

    /// <summary>After a subscribe with a position: whether everything after it was recovered. Null otherwise.</summary>
    public bool? Recovered { get; internal set; }

    /// <summary>The publications in order, live and recovered, until the client is disposed or the subscription ends.</summary>
    public IAsyncEnumerable<Publication> ReadAllAsync(CancellationToken cancellationToken = default) => _queue.Reader.ReadAllAsync(cancellationToken);

    internal bool Deliver(Publication publication)
    {
        if (publication.Epoch is { } epoch)
        {
            if (Position is { } p && p.Epoch == epoch && publication.Offset <= p.Offset)
            {
                return false; // already delivered before a reconnect
            }
            Position = new StreamPosition(publication.Offset, epoch);
        }
        _queue.Writer.TryWrite(publication);
        return true;
    }

    internal void Subscribed(StreamPosition? position)
    {
        if (position is { } p)
        {
            Position = p;
        }
    }

    internal void Complete(Exception? error = null) => _queue.Writer.TryComplete(error);
}
