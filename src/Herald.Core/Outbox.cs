using System.Threading.Channels;

namespace Herald.Core;

/// <summary>
/// The bounded send queue of one connection. Producers (the node's fan-out, request handlers)
/// enqueue frames without ever blocking; the transport's single writer drains it. When a frame
/// would take the queue past its byte or message bound, the enqueue fails and the connection is
/// treated as a slow consumer: memory per connection never grows past the bound.
/// Frames are shared (the same array goes to many outboxes) and must not be mutated.
/// </summary>
public sealed class Outbox
{
    private readonly Channel<OutboundFrame> _frames = Channel.CreateUnbounded<OutboundFrame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false, AllowSynchronousContinuations = false });
    private readonly int _maxBytes;
    private readonly int _maxMessages;
    private long _bytes;
    private int _messages;

    public Outbox(int maxBytes, int maxMessages)
    {
        _maxBytes = maxBytes;
        _maxMessages = maxMessages;
    }

    /// <summary>Bytes currently queued.</summary>
    public long QueuedBytes => Interlocked.Read(ref _bytes);

    /// <summary>Frames currently queued.</summary>
    public int QueuedMessages => Volatile.Read(ref _messages);

    /// <summary>Queues a frame; false when the bound would be exceeded or the outbox is completed.</summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        var messages = Interlocked.Increment(ref _messages);
        var bytes = Interlocked.Add(ref _bytes, frame.Bytes.Length);
        // A single frame larger than the whole bound still goes to an empty queue: it is bounded by the frame size limit.
        if ((messages > _maxMessages || bytes > _maxBytes) && messages > 1)
        {
            Interlocked.Decrement(ref _messages);
            Interlocked.Add(ref _bytes, -frame.Bytes.Length);
            return false;
        }
        if (!_frames.Writer.TryWrite(frame))
        {
            Interlocked.Decrement(ref _messages);
            Interlocked.Add(ref _bytes, -frame.Bytes.Length);
            return false;
        }
        return true;
    }

    /// <summary>Takes the next frame, if any. Single reader only.</summary>
    public bool TryDequeue(out OutboundFrame frame)
    {
        if (!_frames.Reader.TryRead(out frame))
        {
            return false;
        }
        Interlocked.Decrement(ref _messages);
        Interlocked.Add(ref _bytes, -frame.Bytes.Length);
        return true;
    }

    /// <summary>Waits until a frame is queued (true) or the outbox is completed and empty (false).</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
        _frames.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Stops accepting frames; the reader drains what is queued, then sees the end.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    /// <summary>Drops every queued frame (used when a slow consumer is cut off).</summary>
    public void Clear()
    {
        while (TryDequeue(out _))
        {
        }
    }
}

/// <summary>
/// One queued frame: its bytes (shared, never mutated) and, for publications, where they came from
/// (a <see cref="PreparedPublication"/> or an array of them for a batch), so that a transport with
/// framing of its own (SSE) can add per-connection metadata around the shared bytes.
/// </summary>
public readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, object? Source = null, bool IsBinary = false)
{
    public static implicit operator OutboundFrame(ReadOnlyMemory<byte> bytes) => new(bytes);

    public static implicit operator OutboundFrame(byte[] bytes) => new(bytes);
}
