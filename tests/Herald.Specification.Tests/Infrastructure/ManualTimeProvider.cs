namespace Herald.Specification.Tests.Infrastructure;

/// <summary>
/// A clock that moves only when the test says so, so that TTLs, idle streams, rate limits and
/// timeouts never depend on how fast the machine runs the test.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private long _ticks = TimeSpan.FromDays(1).Ticks;
    private DateTimeOffset _utcNow = new(2025, 1, 15, 10, 30, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _utcNow;
        }
    }

    public void Advance(TimeSpan by)
    {
        Interlocked.Add(ref _ticks, by.Ticks);
        lock (_lock)
        {
            _utcNow += by;
        }
    }
}
