using Herald.Core;
using Herald.Core.Brokers;
using Herald.Messages;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Brokers;

/// <summary>
/// A node's side of a broker in the suite: records what arrives per channel, how often the broker
/// reconnected, and whether it was ever called concurrently for one channel.
/// </summary>
public sealed class RecordingHandler : IBrokerHandler
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Publication>> _received = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inside = new(StringComparer.Ordinal);
    private readonly List<(string Channel, int Count, TaskCompletionSource Done)> _waiters = [];
    private int _overlaps;
    private int _reconnects;

    public int Overlaps => Volatile.Read(ref _overlaps);

    public int Reconnects => Volatile.Read(ref _reconnects);

    public void HandlePublication(Publication publication)
    {
        lock (_lock)
        {
            if ((_inside[publication.Channel] = _inside.GetValueOrDefault(publication.Channel) + 1) > 1)
            {
                _overlaps++;
            }
        }
        // Outside the lock, so that a concurrent call for the channel would be seen above.
        Thread.Yield();
        lock (_lock)
        {
            _inside[publication.Channel]--;
            if (!_received.TryGetValue(publication.Channel, out var list))
            {
                _received[publication.Channel] = list = [];
            }
            list.Add(publication);
            foreach (var waiter in _waiters.Where(w => w.Channel == publication.Channel && list.Count >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }
    }

    public void OnBrokerReconnected() => Interlocked.Increment(ref _reconnects);

    /// <summary>Waits until at least <paramref name="count"/> publications of the channel arrived, and returns what arrived.</summary>
    public async Task<IReadOnlyList<Publication>> WaitForAsync(string channel, int count)
    {
        Task wait;
        lock (_lock)
        {
            if (_received.TryGetValue(channel, out var list) && list.Count >= count)
            {
                return [.. list];
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((channel, count, done));
            wait = done.Task;
        }
        await wait.Bounded();
        lock (_lock)
        {
            return [.. _received[channel]];
        }
    }
}
