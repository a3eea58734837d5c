using System.Collections.Concurrent;
using Herald.Core.Internal;
using Herald.Messages;

namespace Herald.Core.Cluster;

/// <summary>
/// Commands from one node to every node of the cluster (disconnect a user, cancel an operation,
/// push unread counts), carried by the broker as transient publications on the reserved channel
/// <see cref="Channel"/>, which every node subscribes to at start and no client can name. A node
/// hands each signal to the handlers registered for its type instead of fanning it out.
/// </summary>
/// <remarks>
/// Delivery is the broker's for publications without a stream: every node that is connected
/// gets each signal at most once, the sender included (a handler that already acted locally
/// skips signals whose <see cref="ClusterSignal.From"/> is its own node). A node that is cut off
/// from the broker meanwhile misses signals; nothing is repeated. Handlers run on the broker's
/// delivery path and must not block: they start their own work. Thread-safe.
/// </remarks>
public sealed class ClusterSignals
{
    /// <summary>The reserved channel of signals: <c>$</c> is not a namespace character, so no client can subscribe or publish to it.</summary>
    public const string Channel = "$herald:cluster";

    /// <summary>The tag of a signal that names the node that sent it.</summary>
    internal const string FromTag = "from";

    private readonly Node _node;
    private readonly ConcurrentDictionary<string, Action<ClusterSignal>[]> _handlers = new(StringComparer.Ordinal);

    internal ClusterSignals(Node node)
    {
        _node = node;
    }

    /// <summary>Registers <paramref name="handler"/> for signals of <paramref name="type"/>; dispose the result to unregister.</summary>
    public IDisposable On(string type, Action<ClusterSignal> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(handler);
        _handlers.AddOrUpdate(type, static (_, h) => [h], static (_, list, h) => [.. list, h], handler);
        return new Registration(this, type, handler);
    }

    /// <summary>Sends a signal to every node, this one included. Completes when the broker accepted it.</summary>
    public async ValueTask SendAsync(string type, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        var publication = new Publication
        {
            Id = Publication.NewId(),
            Channel = Channel,
            Type = type,
            Data = data,
            Timestamp = _node.Time.GetUtcNow().ToUnixTimeMilliseconds(),
            Tags = new Dictionary<string, string>(StringComparer.Ordinal) { [FromTag] = _node.Name },
        };
        await _node.Broker.PublishAsync(publication, stream: null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A publication of <see cref="Channel"/> arrived: hand it to the handlers of its type.</summary>
    internal void Dispatch(Publication publication)
    {
        if (!_handlers.TryGetValue(publication.Type, out var handlers))
        {
            return;
        }
        var from = publication.Tags?.GetValueOrDefault(FromTag) ?? "";
        var signal = new ClusterSignal(publication.Type, from, publication.Data);
        foreach (var handler in handlers)
        {
            try
            {
                handler(signal);
            }
            catch (Exception ex)
            {
                _node.Logger.ClusterSignalFailed(ex, publication.Type, from);
            }
        }
    }

    private sealed class Registration(ClusterSignals owner, string type, Action<ClusterSignal> handler) : IDisposable
    {
        public void Dispose()
        {
            while (owner._handlers.TryGetValue(type, out var list))
            {
                var rest = list.Where(h => h != handler).ToArray();
                if (rest.Length == list.Length || owner._handlers.TryUpdate(type, rest, list))
                {
                    return;
                }
            }
        }
    }
}
