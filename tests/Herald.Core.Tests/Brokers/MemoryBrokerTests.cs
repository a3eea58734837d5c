using System.Collections.Concurrent;
using System.Text;
using Herald.Core.Brokers;
using Herald.Core.Requests;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Tests.Brokers;

public sealed class MemoryBrokerTests
{
    private const int Publishers = 4;
    private const int PerPublisher = 250;

    private static Publication Publication(string channel, int publisher, int index) => new()
    {
        Id = Messages.Publication.NewId(),
        Channel = channel,
        Type = "t",
        Data = Encoding.UTF8.GetBytes($"{{\"p\":{publisher},\"i\":{index}}}"),
        Timestamp = 0,
    };

    /// <summary>Records what the broker hands over, and whether it ever ran concurrently for one channel.</summary>
    private sealed class RecordingHandler : IBrokerHandler
    {
        private readonly ConcurrentDictionary<string, int> _inside = new(StringComparer.Ordinal);

        public ConcurrentQueue<Publication> Received { get; } = new();

        public int Overlaps;

        public void HandlePublication(Publication publication)
        {
            if (_inside.AddOrUpdate(publication.Channel, 1, static (_, n) => n + 1) > 1)
            {
                Interlocked.Increment(ref Overlaps);
            }
            Received.Enqueue(publication);
            Thread.SpinWait(50);
            _inside.AddOrUpdate(publication.Channel, 0, static (_, n) => n - 1);
        }

        public void OnBrokerReconnected()
        {
        }
    }

    private static async Task PublishConcurrently(Func<Publication, ValueTask> publish, string channel)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, Publishers).Select(p => Task.Run(async () =>
        {
            start.Wait(TestNode.Timeout);
            for (var i = 0; i < PerPublisher; i++)
            {
                await publish(Publication(channel, p, i));
            }
        })).ToArray();
        start.Set();
        await Task.WhenAll(tasks).WaitAsync(TestNode.Timeout);
    }

    private static void ShouldKeepEachPublishersOrder(IEnumerable<(int Publisher, int Index)> sequence)
    {
        var next = new int[Publishers];
        foreach (var (publisher, index) in sequence)
        {
            index.ShouldBe(next[publisher], $"publisher {publisher} out of order");
            next[publisher]++;
        }
        next.ShouldAllBe(n => n == PerPublisher);
    }

    private static (int, int) Origin(ReadOnlySpan<byte> data)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(data.ToArray());
        return (doc.RootElement.GetProperty("p").GetInt32(), doc.RootElement.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task PublishAsync_BeforeStart_Throws()
    {
        await using var broker = new MemoryBroker();

        Should.Throw<InvalidOperationException>(() => broker.PublishAsync(Publication("org:acme", 0, 0), null, CancellationToken.None));
    }

    [Fact]
    public async Task IsHealthy_OnlyAfterStart()
    {
        await using var broker = new MemoryBroker();
        (await broker.IsHealthyAsync(CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout)).ShouldBeFalse();

        await broker.StartAsync(new RecordingHandler(), CancellationToken.None).WaitAsync(TestNode.Timeout);

        (await broker.IsHealthyAsync(CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout)).ShouldBeTrue();
    }

    [Fact]
    public async Task PublishAsync_ConcurrentPublishersToOneChannel_HandlerSeesEveryPublicationOneAtATime()
    {
        await using var broker = new MemoryBroker();
        var handler = new RecordingHandler();
        await broker.StartAsync(handler, CancellationToken.None).WaitAsync(TestNode.Timeout);

        await broker.SubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);

        await PublishConcurrently(async p => await broker.PublishAsync(p, null, CancellationToken.None), "org:acme");

        handler.Overlaps.ShouldBe(0);
        handler.Received.Count.ShouldBe(Publishers * PerPublisher);
        handler.Received.Select(p => p.Id).Distinct().Count().ShouldBe(Publishers * PerPublisher);
        ShouldKeepEachPublishersOrder(handler.Received.Select(p => Origin(p.Data.Span)));
    }

    [Fact]
    public async Task PublishAsync_ConcurrentPublishersToOneChannel_EverySubscriberSeesTheSameOrder()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_2");
        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");

        await PublishConcurrently(
            async p => (await node.PublishAsync(new PublishRequest(p.Channel, p.Type, p.Data))).Error.ShouldBeNull(),
            "org:acme");

        var framesA = a.Drain();
        var framesB = b.Drain();
        framesA.Count.ShouldBe(Publishers * PerPublisher);
        framesB.Count.ShouldBe(Publishers * PerPublisher);
        for (var i = 0; i < framesA.Count; i++)
        {
            ReferenceEquals(framesA[i], framesB[i]).ShouldBeTrue($"frame {i} differs between subscribers");
        }
        ShouldKeepEachPublishersOrder(framesA.Select(f =>
        {
            var data = TestNode.Data(f);
            return (data.GetProperty("p").GetInt32(), data.GetProperty("i").GetInt32());
        }));
    }

    [Fact]
    public async Task SubscribeAndUnsubscribe_AreIdempotent()
    {
        await using var broker = new MemoryBroker();
        var handler = new RecordingHandler();
        await broker.StartAsync(handler, CancellationToken.None).WaitAsync(TestNode.Timeout);

        await broker.SubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.SubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.PublishAsync(Publication("org:acme", 0, 0), null, CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.UnsubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.UnsubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.UnsubscribeAsync("org:never", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await broker.PublishAsync(Publication("org:acme", 0, 1), null, CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);

        handler.Received.Count.ShouldBe(1);
    }

    [Fact]
    public async Task TwoBrokers_WithoutASharedBus_ShareNothing()
    {
        await using var a = new MemoryBroker();
        await using var b = new MemoryBroker();
        var handlerA = new RecordingHandler();
        var handlerB = new RecordingHandler();
        await a.StartAsync(handlerA, CancellationToken.None).WaitAsync(TestNode.Timeout);
        await b.StartAsync(handlerB, CancellationToken.None).WaitAsync(TestNode.Timeout);
        await a.SubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        await b.SubscribeAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        var stream = new Herald.Core.History.HistoryOptions(10, TimeSpan.FromMinutes(1), false, 10);

        var placed = await a.PublishAsync(Publication("org:acme", 0, 0), stream, CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);

        placed.Offset.ShouldBe(1);
        handlerA.Received.Count.ShouldBe(1);
        handlerB.Received.ShouldBeEmpty();
        (await b.GetPositionAsync("org:acme", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout)).Offset.ShouldBe(0);
    }
}
