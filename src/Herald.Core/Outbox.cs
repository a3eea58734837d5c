using System.Threading.Tasks.Sources;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Core;

/// <summary>
/// The bounded send queue of one connection. Producers (the node's fan-out, request handlers)
/// enqueue frames without ever blocking; the transport's single writer drains it. When a frame
/// would take the queue past its byte or message bound, the enqueue fails and the connection is
/// treated as a slow consumer: memory per connection never grows past the bound.
/// Frames are shared (the same array goes to many outboxes) and must not be mutated.
/// </summary>
/// <remarks>
/// A waiting writer is not woken by the producer's thread: the outbox is handed to a
/// <see cref="SendScheduler"/>, which resumes many writers per thread-pool work item, one after
/// the other. A writer still queued there when more frames arrive finds them all and writes them
/// together. The queue is a ring buffer, created on the first frame and dropped again when it
/// grew large and drained, so an idle connection keeps no more than a few slots.
/// </remarks>
public sealed class Outbox : IValueTaskSource<bool>
{
    private const int InitialCapacity = 4;
    private const int KeptCapacity = 16;

    private readonly Lock _gate = new();
    private readonly int _maxBytes;
    private readonly int _maxMessages;
    private readonly SendScheduler _scheduler;
    private OutboundFrame[]? _items;
    private int _head;
    private int _count;
    private long _bytes;
    private bool _completed;
    private bool _scheduled;
    // The waiting reader: null, this (the pooled wait of WaitToReadAsync()), or a CancelableWait.
    private object? _waiter;
    private ManualResetValueTaskSourceCore<bool> _wait;

    public Outbox(int maxBytes, int maxMessages)
    {
        _maxBytes = maxBytes;
        _maxMessages = maxMessages;
        _scheduler = SendScheduler.Next();
    }

    /// <summary>Bytes currently queued.</summary>
    public long QueuedBytes => Volatile.Read(ref _bytes);

    /// <summary>Frames currently queued.</summary>
    public int QueuedMessages => Volatile.Read(ref _count);

    /// <summary>Queues a frame; false when the bound would be exceeded or the outbox is completed.</summary>
    public bool TryEnqueue(OutboundFrame frame)
    {
        var length = frame.Bytes.Length;
        lock (_gate)
        {
            // A single frame larger than the whole bound still goes to an empty queue: it is bounded by the frame size limit.
            if (_completed || (_count > 0 && (_count >= _maxMessages || _bytes + length > _maxBytes)))
            {
                return false;
            }
            var items = _items;
            if (items is null || _count == items.Length)
            {
                items = Grow();
            }
            items[(_head + _count) % items.Length] = frame;
            _count++;
            _bytes += length;
            if (_waiter is null || _scheduled)
            {
                return true;
            }
            _scheduled = true;
        }
        _scheduler.Schedule(this);
        return true;
    }

    private OutboundFrame[] Grow()
    {
        var old = _items;
        var items = new OutboundFrame[old is null ? InitialCapacity : Math.Min(old.Length * 2, Math.Max(_maxMessages, InitialCapacity))];
        for (var i = 0; i < _count; i++)
        {
            items[i] = old![(_head + i) % old.Length];
        }
        _items = items;
        _head = 0;
        return items;
    }

    /// <summary>Takes the next frame, if any. Single reader only.</summary>
    public bool TryDequeue(out OutboundFrame frame)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                frame = default;
                return false;
            }
            var items = _items!;
            frame = items[_head];
            items[_head] = default;
            _head = (_head + 1) % items.Length;
            _count--;
            _bytes -= frame.Bytes.Length;
            if (_count == 0)
            {
                _head = 0;
                if (items.Length > KeptCapacity)
                {
                    _items = null;
                }
            }
            return true;
        }
    }

    /// <summary>
    /// Waits until a frame is queued (true) or the outbox is completed and empty (false). Without a
    /// cancellation token the wait allocates nothing; only one reader may wait at a time.
    /// </summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_count > 0)
            {
                return new ValueTask<bool>(true);
            }
            if (_completed)
            {
                return new ValueTask<bool>(false);
            }
            if (_waiter is not null)
            {
                throw new InvalidOperationException("Another reader is already waiting on this outbox.");
            }
            if (!cancellationToken.CanBeCanceled)
            {
                _wait.Reset();
                _waiter = this;
                return new ValueTask<bool>(this, _wait.Version);
            }
            cancellationToken.ThrowIfCancellationRequested();
            var wait = new CancelableWait(this);
            _waiter = wait;
            wait.Registration = cancellationToken.UnsafeRegister(static (state, token) => ((CancelableWait)state!).Cancel(token), wait);
            return new ValueTask<bool>(wait.Task);
        }
    }

    /// <summary>Stops accepting frames; the reader drains what is queued, then sees the end.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }
            _completed = true;
            if (_waiter is null || _scheduled)
            {
                return;
            }
            _scheduled = true;
        }
        _scheduler.Schedule(this);
    }

    /// <summary>Drops every queued frame (used when a slow consumer is cut off).</summary>
    public void Clear()
    {
        while (TryDequeue(out _))
        {
        }
    }

    /// <summary>Called by the scheduler: completes the waiting reader, if there still is one and something to read.</summary>
    internal void ResumeWriter()
    {
        object? waiter;
        bool result;
        lock (_gate)
        {
            _scheduled = false;
            if (_count == 0 && !_completed)
            {
                return;
            }
            waiter = _waiter;
            _waiter = null;
            result = _count > 0;
        }
        if (ReferenceEquals(waiter, this))
        {
            // Runs the writer's continuation here, on the scheduler's thread.
            _wait.SetResult(result);
        }
        else if (waiter is CancelableWait wait)
        {
            wait.Registration.Dispose();
            wait.TrySetResult(result);
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _wait.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _wait.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wait.OnCompleted(continuation, state, token, flags);

    /// <summary>A wait with a cancellation token (long polling, SSE): rare, so it may allocate.</summary>
    private sealed class CancelableWait(Outbox owner) : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CancellationTokenRegistration Registration;

        public void Cancel(CancellationToken token)
        {
            lock (owner._gate)
            {
                if (!ReferenceEquals(owner._waiter, this))
                {
                    return;
                }
                owner._waiter = null;
            }
            TrySetCanceled(token);
        }
    }
}

/// <summary>
/// One queued frame: its bytes, shared and never mutated, all of which count against the send
/// queue's bound. A frame that delivers one publication names it in <see cref="Publication"/>,
/// and a subscribe answer of a transport that tracks positions itself carries its
/// <see cref="Start"/>, so that such a transport (Server-Sent Events, whose event ids hold every
/// channel's position) frames them at write time, in queue order.
/// </summary>
public readonly record struct OutboundFrame(ReadOnlyMemory<byte> Bytes, bool IsBinary = false)
{
    /// <summary>The one publication this frame delivers; null for answers, control frames and batches.</summary>
    public Publication? Publication { get; init; }

    /// <summary>Where a channel's stream starts for this connection, for a subscribe answer that says so.</summary>
    public StreamStart? Start { get; init; }

    public static implicit operator OutboundFrame(ReadOnlyMemory<byte> bytes) => new(bytes);

    public static implicit operator OutboundFrame(byte[] bytes) => new(bytes);
}

/// <summary>
/// A channel's position as a subscribe answer sets it: <paramref name="Reset"/> when the stream
/// starts there (nothing was recovered), otherwise the recovered publications that follow move it.
/// </summary>
public sealed record StreamStart(string Channel, StreamPosition Position, bool Reset);
