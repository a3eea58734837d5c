using Herald.Messages;

namespace Herald.Core.Internal;

/// <summary>
/// The publishes of the last few minutes that carried an idempotency key, by channel and key, so
/// that a resend (a client that lost the answer with its connection and sent again after the
/// reconnect, an HTTP caller's retry) answers the first publication instead of publishing twice.
/// A resend that arrives while the first is still being stored waits for it. Bounded twice: a key
/// is kept for the window, and when more than <c>capacity</c> keys are held the oldest is
/// forgotten early. A publish that fails is forgotten at once, so its resend publishes.
/// One node's memory: a resend that reaches another node, or this one after a restart, publishes again.
/// </summary>
internal sealed class IdempotencyWindow(TimeProvider time, TimeSpan window, int capacity)
{
    private readonly Dictionary<(string Channel, string Key), Task<Publication>> _entries = [];
    private readonly Queue<(string Channel, string Key, Task<Publication> Task, long Expires)> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Keys held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// The publication of the first publish with this key in this channel within the window;
    /// when there is none, runs <paramref name="publish"/> and remembers its result.
    /// </summary>
    public async ValueTask<Publication> PublishOnceAsync<TState>(string channel, string key, TState state, Func<TState, ValueTask<Publication>> publish)
    {
        while (true)
        {
            TaskCompletionSource<Publication>? mine = null;
            Task<Publication> first;
            lock (_lock)
            {
                var now = time.GetTimestamp();
                Expire(now);
                if (!_entries.TryGetValue((channel, key), out first!))
                {
                    mine = new TaskCompletionSource<Publication>(TaskCreationOptions.RunContinuationsAsynchronously);
                    first = mine.Task;
                    _entries[(channel, key)] = first;
                    _order.Enqueue((channel, key, first, now + (long)(window.TotalSeconds * time.TimestampFrequency)));
                    if (_order.Count > capacity)
                    {
                        Forget(_order.Dequeue());
                    }
                }
            }
            if (mine is null)
            {
                try
                {
                    return await first.ConfigureAwait(false);
                }
                catch when (first.IsFaulted || first.IsCanceled)
                {
                    // The first attempt failed and was forgotten: this one publishes.
                    continue;
                }
            }
            try
            {
                var publication = await publish(state).ConfigureAwait(false);
                mine.SetResult(publication);
                return publication;
            }
            catch (Exception ex)
            {
                lock (_lock)
                {
                    if (_entries.TryGetValue((channel, key), out var held) && held == first)
                    {
                        _entries.Remove((channel, key));
                    }
                }
                mine.SetException(ex);
                _ = mine.Task.Exception; // observed here: resends waiting on it publish themselves
                throw;
            }
        }
    }

    private void Expire(long now)
    {
        while (_order.TryPeek(out var oldest) && oldest.Expires <= now)
        {
            Forget(_order.Dequeue());
        }
    }

    private void Forget((string Channel, string Key, Task<Publication> Task, long Expires) entry)
    {
        // The key may have been published again after a failure: remove only the entry this one added.
        if (_entries.TryGetValue((entry.Channel, entry.Key), out var held) && held == entry.Task)
        {
            _entries.Remove((entry.Channel, entry.Key));
        }
    }
}
