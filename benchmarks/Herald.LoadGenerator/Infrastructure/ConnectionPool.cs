using Herald.LoadGenerator.Wire;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>How fast connections were opened.</summary>
public sealed record ConnectStats(int Opened, int Failed, double Seconds, double PerSecond, LatencySummary Handshake, string? FirstError);

/// <summary>The subscriber connections of one run, opened with bounded concurrency.</summary>
public sealed class ConnectionPool
{
    private readonly Func<int, ConnectSpec> _specFor;
    private readonly DeliveryRecorder _recorder;
    private readonly List<BenchConnection> _connections = [];
    private int _opening;

    public ConnectionPool(ConnectSpec spec, DeliveryRecorder recorder)
        : this(_ => spec, recorder)
    {
    }

    /// <summary>Connection i goes where <paramref name="specFor"/>(i) says (several servers: the nodes of a cluster).</summary>
    public ConnectionPool(Func<int, ConnectSpec> specFor, DeliveryRecorder recorder)
    {
        _specFor = specFor;
        _recorder = recorder;
    }

    public IReadOnlyList<BenchConnection> Connections => _connections;

    public int Count
    {
        get
        {
            lock (_connections)
            {
                return _connections.Count + Volatile.Read(ref _opening);
            }
        }
    }

    /// <summary>
    /// Opens connections until there are <paramref name="total"/>, <paramref name="concurrency"/> at
    /// a time; each subscribes to <paramref name="channelsFor"/>(index) (none: handshake only).
    /// Gives up after <paramref name="timeout"/> or when more than 1 % fail.
    /// </summary>
    public async Task<ConnectStats> OpenAsync(int total, int concurrency, Func<int, int[]> channelsFor, TimeSpan timeout, CancellationToken cancellationToken)
    {
        int first;
        lock (_connections)
        {
            first = _connections.Count;
        }
        var handshake = new LatencyHistogram();
        var next = first;
        var failed = 0;
        string? firstError = null;
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var started = Clock.NowMicros;
        async Task Worker()
        {
            while (!cts.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next) - 1;
                if (index >= total)
                {
                    return;
                }
                Interlocked.Increment(ref _opening);
                var begin = Clock.NowMicros;
                try
                {
                    var connection = await BenchConnection.OpenAsync(_specFor(index), index, cts.Token).ConfigureAwait(false);
                    handshake.Record(Clock.NowMicros - begin);
                    connection.Start(_recorder);
                    var channels = channelsFor(index);
                    if (channels.Length > 0)
                    {
                        await connection.SubscribeAsync(channels, Publisher.ChannelName, cts.Token).ConfigureAwait(false);
                    }
                    lock (_connections)
                    {
                        _connections.Add(connection);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cts.IsCancellationRequested)
                {
                    Interlocked.CompareExchange(ref firstError, ex.Message, null);
                    if (Interlocked.Increment(ref failed) > Math.Max(10, total / 100))
                    {
                        await cts.CancelAsync().ConfigureAwait(false);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _opening);
                }
            }
        }
        try
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Worker, CancellationToken.None))).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        var seconds = (Clock.NowMicros - started) / 1e6;
        int opened;
        lock (_connections)
        {
            opened = _connections.Count - first;
        }
        if (cts.IsCancellationRequested && opened + failed < total - first)
        {
            firstError ??= $"timed out after {timeout.TotalSeconds:0} s";
        }
        return new ConnectStats(opened, failed, Math.Round(seconds, 3), Math.Round(opened / Math.Max(seconds, 1e-6), 1), handshake.Summarize(), firstError);
    }

    /// <summary>Closes every connection (without waiting for the server) and forgets them.</summary>
    public void AbortAll()
    {
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                connection.Abort();
            }
            _connections.Clear();
        }
    }

    public int OpenConnections()
    {
        lock (_connections)
        {
            return _connections.Count(c => c.IsOpen);
        }
    }
}
