using System.Diagnostics.Metrics;
using System.Globalization;
using Herald.Core.Brokers;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;

namespace Herald.Core.Tests;

public sealed class HeraldMetricsTests
{
    [Fact]
    public async Task FanOut_CountsDeliveriesPerTransport()
    {
        using var factory = new TestMeterFactory();
        await using var node = await StartAsync(factory);
        var clients = new List<Client>();
        foreach (var transport in new[] { "websocket", "websocket", "sse", "longpoll" })
        {
            var client = node.Connect(transport, $"u_{clients.Count}");
            await client.SubscribeOkAsync("org:acme");
            clients.Add(client);
        }

        await node.PublishOkAsync("org:acme");

        var sent = Measure(factory, "herald.messages.sent");
        sent.ShouldBe(new Dictionary<string, double> { ["transport=websocket"] = 2, ["transport=socketio"] = 0, ["transport=sse"] = 1, ["transport=other"] = 1 }, ignoreOrder: true);
        node.Metrics.MessagesOut.ShouldBe(4);
        Measure(factory, "herald.connections.active")["transport=websocket"].ShouldBe(2);
        Measure(factory, "herald.subscriptions.active")[""].ShouldBe(4);
        Measure(factory, "herald.channels.active")[""].ShouldBe(1);
        Measure(factory, "herald.users.active")[""].ShouldBe(4);
        Measure(factory, "herald.publications")[""].ShouldBe(1);
    }

    [Fact]
    public async Task Disconnect_IsCountedByTransportAndCode_AndCloseLeavesTheActiveConnections()
    {
        using var factory = new TestMeterFactory();
        await using var node = await StartAsync(factory);
        var client = node.Connect("sse", "u_1");

        client.Disconnect(DisconnectCode.SlowConsumer);
        client.Close();

        Measure(factory, "herald.connections.disconnected").ShouldBe(new Dictionary<string, double> { ["code=3008,transport=sse"] = 1 });
        Measure(factory, "herald.connections.slow_consumer")["transport=sse"].ShouldBe(1);
        Measure(factory, "herald.connections.active")["transport=sse"].ShouldBe(0);
        Measure(factory, "herald.connections.accepted")["transport=sse"].ShouldBe(1);
        node.Metrics.ConnectionsActive.ShouldBe(0);
        node.Connections.Count.ShouldBe(0);
    }

    [Fact]
    public async Task OneHeraldMetrics_ForTwoNodes_IsRefused()
    {
        var metrics = new HeraldMetrics();
        await using var node = new Node(new HeraldOptions(), new MemoryBroker(), metrics: metrics);
        Should.Throw<InvalidOperationException>(() => new Node(new HeraldOptions(), new MemoryBroker(), metrics: metrics));
    }

    [Fact]
    public void TransportIndex_NamesHeraldsTransportsAndPutsTheRestInOneSlot()
    {
        HeraldMetrics.TransportIndex("websocket").ShouldBe(0);
        HeraldMetrics.TransportIndex("socketio").ShouldBe(1);
        HeraldMetrics.TransportIndex("sse").ShouldBe(2);
        HeraldMetrics.TransportIndex("anything").ShouldBe(HeraldMetrics.TransportCount - 1);
    }

    private static async Task<Node> StartAsync(IMeterFactory factory)
    {
        var node = new Node(new HeraldOptions { NodeName = "unit" }, new MemoryBroker(), metrics: new HeraldMetrics(factory), time: new FakeTimeProvider());
        await node.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        return node;
    }

    /// <summary>One instrument's measurements by their tags ("key=value,…", sorted; "" without tags).</summary>
    private static Dictionary<string, double> Measure(TestMeterFactory factory, string name)
    {
        var measured = new Dictionary<string, double>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == name && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var key = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={Convert.ToString(t.Value, CultureInfo.InvariantCulture)}").Order(StringComparer.Ordinal));
            measured[key] = value;
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return measured;
    }

    /// <summary>Meters of this test only: their scope is the factory.</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = options.Tags, Scope = this });
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}

file static class MetricsTestNode
{
    /// <summary>A connection over the named transport, authenticated as the user.</summary>
    public static Client Connect(this Node node, string transport, string user)
    {
        var client = node.CreateClient(transport, CountingEncoder.Instance, ReadOnlyMemory<byte>.Empty);
        client.Authenticate(new Herald.Core.Auth.HeraldPrincipal(user, "acme", null)).ShouldBeNull();
        return client;
    }
}
