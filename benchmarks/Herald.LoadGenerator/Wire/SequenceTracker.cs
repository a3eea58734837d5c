namespace Herald.LoadGenerator.Wire;

/// <summary>
/// Which sequence numbers of one channel a connection has received. Publications may reach the
/// server out of order (the publisher has several HTTP requests in flight), so arrival order is
/// not checked: a number is unique the first time it arrives and a duplicate after that.
/// Everything below <see cref="_low"/> has arrived; the few that arrived early sit in a set.
/// </summary>
internal struct SequenceTracker
{
    private long _low;
    private HashSet<long>? _early;

    public SequenceTracker()
    {
        _low = 1;
    }

    /// <summary>Records an arrival; false when this number had arrived before.</summary>
    public bool Add(long seq)
    {
        if (seq < _low)
        {
            return false;
        }
        if (seq > _low)
        {
            return (_early ??= []).Add(seq);
        }
        _low++;
        if (_early is { Count: > 0 } early)
        {
            while (early.Remove(_low))
            {
                _low++;
            }
        }
        return true;
    }
}
