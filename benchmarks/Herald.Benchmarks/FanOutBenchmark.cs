using System.Text;
using BenchmarkDotNet.Attributes;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Channels;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;
using Herald.Protocol;
using Herald.Protocol.SocketIO;

namespace Herald.Benchmarks;

/// <summary>
/// Fan-out of one publication to every in-process subscriber of a channel through
/// <see cref="Node"/> and <see cref="MemoryBroker"/>: validation, the publication, one encoding
/// per encoder, and one enqueue per subscriber. Each operation then drains every outbox (as the
/// transports' writers would), so queues stay empty between operations. Allocated bytes per
/// operation must not grow with <see cref="Subscribers"/>: the frame is shared, the enqueue
/// allocation-free.
/// </summary>
[MemoryDiagnoser]
public class FanOutBenchmark
{
    private const string ChannelName = "bench:fan";
    private Node _node = null!;
    private Client[] _clients = [];
    private PublishRequest _request = null!;
    private Publication _publication = null!;

    [Params(1_000, 10_000)]
    public int Subscribers { get; set; }

    /// <summary>Share of subscribers speaking Socket.IO: 0, or half (two encodings per publication).</summary>
    [Params(0, 50)]
    public int SocketIOPercent { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new HeraldOptions
        {
            Heartbeat = new HeartbeatOptions { IntervalSeconds = 3600, TimeoutSeconds = 3600 },
        };
        options.Namespaces["bench"] = new NamespaceOptions { Scope = ChannelScope.Public, HistorySize = 0 };
        _node = new Node(options, new MemoryBroker());
        _node.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        var socketIO = new SocketIOPublicationEncoder("/");
        _clients = new Client[Subscribers];
        for (var i = 0; i < Subscribers; i++)
        {
            PublicationEncoder encoder = i * 100 < Subscribers * SocketIOPercent ? socketIO : NativePublicationEncoder.Instance;
            var client = _node.CreateClient("bench", encoder, NativeCodec.Ping);
            if (client.Authenticate(new HeraldPrincipal($"u{i}", "bench")) is { } refused)
            {
                throw new InvalidOperationException($"authenticate: {refused}");
            }
            if (client.SubscribeAsync(ChannelName).AsTask().GetAwaiter().GetResult() is { } error)
            {
                throw new InvalidOperationException($"subscribe: {error.Message}");
            }
            _clients[i] = client;
        }
        var data = Encoding.UTF8.GetBytes("{\"hb\":[0,12345,987654321],\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");
        _request = new PublishRequest(ChannelName, "bench.tick", data);
        _publication = new Publication { Id = Publication.NewId(), Channel = ChannelName, Type = "bench.tick", Data = data, Timestamp = 1_763_769_600_000 };
        // One round so that every outbox's queue segment exists before measuring.
        Publish();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var client in _clients)
        {
            client.Close();
        }
        _node.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The whole publish path: <see cref="Node.PublishAsync"/> (validation, id, broker) and fan-out, then the drain.</summary>
    [Benchmark(Baseline = true)]
    public int Publish()
    {
        var (publication, error) = _node.PublishAsync(_request).AsTask().GetAwaiter().GetResult();
        if (error is not null || publication is null)
        {
            throw new InvalidOperationException(error?.Message);
        }
        return Drain();
    }

    /// <summary>Fan-out only, as a broker hands a publication to the node, then the drain.</summary>
    [Benchmark]
    public int HandlePublication()
    {
        _node.HandlePublication(_publication);
        return Drain();
    }

    /// <summary>The drain alone (every outbox is empty): subtract it from the two above.</summary>
    [Benchmark]
    public int DrainOnly() => Drain();

    private int Drain()
    {
        var frames = 0;
        foreach (var client in _clients)
        {
            while (client.Outbox.TryDequeue(out _))
            {
                frames++;
            }
        }
        return frames;
    }
}
