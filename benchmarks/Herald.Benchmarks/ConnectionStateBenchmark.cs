using BenchmarkDotNet.Attributes;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Channels;
using Herald.Protocol;

namespace Herald.Benchmarks;

/// <summary>
/// What Herald.Core allocates for one connection: the <see cref="Client"/> (its outbox, rate limit,
/// subscription table), its authentication and one subscription, then its removal. Allocated bytes
/// per operation bound the core's share of the memory of an idle connection (the rest is the
/// transport's: Kestrel, the WebSocket, the read buffer).
/// </summary>
[MemoryDiagnoser]
public class ConnectionStateBenchmark
{
    private Node _node = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        var options = new HeraldOptions { Heartbeat = new HeartbeatOptions { IntervalSeconds = 3600, TimeoutSeconds = 3600 } };
        options.Limits.MaxConnectionsPerUser = int.MaxValue;
        options.Namespaces["bench"] = new NamespaceOptions { Scope = ChannelScope.Public, HistorySize = 0 };
        _node = new Node(options, new MemoryBroker());
        _node.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _node.DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Connect, authenticate, subscribe to a channel of its own, disconnect.</summary>
    [Benchmark]
    public void ConnectAuthenticateSubscribeClose()
    {
        var i = _next++;
        var client = _node.CreateClient("bench", NativePublicationEncoder.Instance, NativeCodec.Ping);
        client.Authenticate(new HeraldPrincipal("u" + (i & 1023), "bench"));
        client.SubscribeAsync("bench:u" + i).AsTask().GetAwaiter().GetResult();
        client.Close();
    }
}
