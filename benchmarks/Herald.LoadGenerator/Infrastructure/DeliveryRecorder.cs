using Herald.LoadGenerator.Wire;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>
/// Counts what the subscribers receive. Every benchmark publication carries its channel, a
/// per-channel sequence number and its scheduled send time; a connection remembers which numbers
/// it received per channel, so a number seen twice is a duplicate. Loss is computed after a step
/// as expected minus unique deliveries, once the deliveries have drained.
/// Latency is measured from the scheduled send time (open loop: a late publisher does not hide
/// its own lateness, no coordinated omission).
/// </summary>
public sealed class DeliveryRecorder
{
    private long _delivered;
    private long _duplicates;
    private long _malformed;
    private long _unexpected;
    private long _lost;
    private long _windowDelivered;
    private long _windowFrom = long.MaxValue;
    private long _windowTo = long.MaxValue;
    private long _latencyFrom = long.MaxValue;
    private readonly Lock _reasonsLock = new();
    private readonly Dictionary<string, int> _lostReasons = new(StringComparer.Ordinal);

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Unique deliveries since the start.</summary>
    public long UniqueDelivered => Interlocked.Read(ref _delivered);

    public long Duplicates => Interlocked.Read(ref _duplicates);

    public long MalformedCount => Interlocked.Read(ref _malformed) + Interlocked.Read(ref _unexpected);

    /// <summary>Connections that ended while the benchmark still needed them.</summary>
    public long ConnectionsLost => Interlocked.Read(ref _lost);

    public long WindowDelivered => Interlocked.Read(ref _windowDelivered);

    public IReadOnlyDictionary<string, int> LostReasons
    {
        get
        {
            lock (_reasonsLock)
            {
                return new Dictionary<string, int>(_lostReasons);
            }
        }
    }

    /// <summary>
    /// Starts a measurement: latency is recorded for publications scheduled at or after
    /// <paramref name="latencyFrom"/>, deliveries counted when they arrive inside [from, to).
    /// </summary>
    public void StartWindow(long latencyFrom, long from, long to)
    {
        Latency.Reset();
        Interlocked.Exchange(ref _windowDelivered, 0);
        Volatile.Write(ref _latencyFrom, latencyFrom);
        Volatile.Write(ref _windowFrom, from);
        Volatile.Write(ref _windowTo, to);
    }

    public void Delivered(long sentMicros, bool unique)
    {
        var now = Clock.NowMicros;
        if (unique)
        {
            Interlocked.Increment(ref _delivered);
        }
        else
        {
            Interlocked.Increment(ref _duplicates);
        }
        if (sentMicros >= Volatile.Read(ref _latencyFrom))
        {
            Latency.Record(now - sentMicros);
        }
        if (now >= Volatile.Read(ref _windowFrom) && now < Volatile.Read(ref _windowTo))
        {
            Interlocked.Increment(ref _windowDelivered);
        }
    }

    public void Malformed() => Interlocked.Increment(ref _malformed);

    public void Unexpected() => Interlocked.Increment(ref _unexpected);

    public void ConnectionLost(BenchConnection connection, string reason)
    {
        Interlocked.Increment(ref _lost);
        var key = reason.Length > 120 ? reason[..120] : reason;
        lock (_reasonsLock)
        {
            _lostReasons[key] = _lostReasons.GetValueOrDefault(key) + 1;
        }
    }
}
