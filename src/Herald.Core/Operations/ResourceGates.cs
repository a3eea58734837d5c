namespace Herald.Core.Operations;

/// <summary>
/// One gate per resource, so that in-process handlers never run two at once for one resource. A
/// gate exists only while someone holds it or waits for it: the last to leave removes it, so the
/// table does not grow with every resource that ever had an operation. Thread-safe.
/// </summary>
/// <remarks>
/// A gate counts its users (holders and waiters) under its own lock. The user that brings the count
/// to zero retires the gate and removes it from the table; a caller that finds a retired gate in the
/// table (it lost that race) takes a fresh one. Since a gate is retired only when nobody holds or
/// waits for it, two live gates never exist for one resource at the same time.
/// </remarks>
internal sealed class ResourceGates
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>How many resources have a gate now: those with a holder or a waiter.</summary>
    public int Count => _gates.Count;

    /// <summary>Waits for the resource's gate; dispose the lease to let the next one in. Cancelling the wait leaves no trace.</summary>
    public async ValueTask<Lease> EnterAsync(string resource, CancellationToken cancellationToken)
    {
        var gate = Join(resource);
        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(resource, gate);
            throw;
        }
        return new Lease(this, resource, gate);
    }

    private Gate Join(string resource)
    {
        while (true)
        {
            var gate = _gates.GetOrAdd(resource, static _ => new Gate());
            lock (gate)
            {
                if (gate.Users >= 0)
                {
                    gate.Users++;
                    return gate;
                }
            }
            // Retired between GetOrAdd and the lock: its last user is removing it; take a new one.
        }
    }

    private void Leave(string resource, Gate gate)
    {
        lock (gate)
        {
            if (--gate.Users > 0)
            {
                return;
            }
            gate.Users = -1;
        }
        // Removes this gate only, never a newer one for the same resource.
        _gates.TryRemove(new KeyValuePair<string, Gate>(resource, gate));
        gate.Semaphore.Dispose();
    }

    internal sealed class Gate
    {
        public readonly SemaphoreSlim Semaphore = new(1, 1);

        /// <summary>Holders and waiters; -1 once retired.</summary>
        public int Users;
    }

    /// <summary>A held gate; disposing it releases the gate, once.</summary>
    public struct Lease : IDisposable
    {
        private ResourceGates? _owner;
        private readonly string _resource;
        private readonly Gate _gate;

        internal Lease(ResourceGates owner, string resource, Gate gate)
        {
            _owner = owner;
            _resource = resource;
            _gate = gate;
        }

        public void Dispose()
        {
            if (_owner is { } owner)
            {
                _owner = null;
                _gate.Semaphore.Release();
                owner.Leave(_resource, _gate);
            }
        }
    }
}
