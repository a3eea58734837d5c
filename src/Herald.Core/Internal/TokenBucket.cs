namespace Herald.Core.Internal;

/// <summary>A token bucket for inbound messages of one connection. Used by one reader at a time; not thread-safe.</summary>
internal struct TokenBucket
{
    private readonly double _ratePerTick;
    private readonly double _capacity;
    private double _tokens;
    private long _last;

    public TokenBucket(int perSecond, int burst, long now, long ticksPerSecond)
    {
        _ratePerTick = perSecond / (double)ticksPerSecond;
        _capacity = Math.Max(burst, 1);
        _tokens = _capacity;
        _last = now;
    }

    public bool TryTake(long now)
    {
        var elapsed = now - _last;
        if (elapsed > 0)
        {
            _tokens = Math.Min(_capacity, _tokens + elapsed * _ratePerTick);
            _last = now;
        }
        if (_tokens < 1)
        {
            return false;
        }
        _tokens -= 1;
        return true;
    }
}
