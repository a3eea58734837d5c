using System.Text;
using System.Text.Json;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Channels;
using Herald.Core.History;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Brokers;

/// <summary>
/// The <see cref="IBroker"/> contract: every broker inherits these tests. Each test runs a small
/// cluster: <see cref="CreateBroker"/> gives another node's broker on the test's shared storage,
/// used either with a <see cref="RecordingHandler"/> or under a real <see cref="Node"/>. Waits are
/// for events, never for time, and every one is bounded by <see cref="Within.Timeout"/>.
/// </summary>
public abstract class BrokerSpecification : IAsyncLifetime
{
    protected const string Channel = "feed:acme";

    protected static readonly HistoryOptions Stream = new(1000, TimeSpan.FromHours(1), KeepState: false, MaxStateKeys: 100);

    private readonly List<IAsyncDisposable> _owned = [];

    /// <summary>A new broker, as another node would have, on this test's cluster. Not started.</summary>
    protected abstract IBroker CreateBroker();

    /// <summary>Cuts <paramref name="broker"/> off the cluster; it completes once the outage is in effect.</summary>
    protected abstract Task InterruptAsync(IBroker broker);

    /// <summary>Ends the outage of <paramref name="broker"/>; it completes once the broker has told its handler.</summary>
    protected abstract Task ResumeAsync(IBroker broker);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().AsTask().Bounded();
        }
    }

    protected async Task<(IBroker Broker, RecordingHandler Handler)> StartBrokerAsync()
    {
        var broker = CreateBroker();
        _owned.Add(broker);
        var handler = new RecordingHandler();
        await broker.StartAsync(handler, CancellationToken.None).Bounded();
        return (broker, handler);
    }

    /// <summary>A started node on its own broker of the cluster, with the <c>feed</c> (history), <c>plain</c> (no stream) and <c>workspace</c> (presence) namespaces.</summary>
    protected async Task<(Node Node, IBroker Broker)> StartNodeAsync(string name)
    {
        var options = new HeraldOptions { NodeName = name };
        options.Namespaces["feed"] = new NamespaceOptions { HistorySize = 1000, HistoryTtlSeconds = 3600 };
        options.Namespaces["plain"] = new NamespaceOptions { HistorySize = 0 };
        options.Limits.MaxSendQueueMessages = 100_000;
        options.Limits.MaxSendQueueBytes = 64 * 1024 * 1024;
        var broker = CreateBroker();
        var node = new Node(options, broker, time: new FakeTimeProvider());
        _owned.Add(node);
        await node.StartAsync(CancellationToken.None).Bounded();
        return (node, broker);
    }

    protected static Publication NewPublication(string channel, int publisher = 0, int index = 0) => new()
    {
        Id = Publication.NewId(),
        Channel = channel,
        Type = "test.event",
        Data = Encoding.UTF8.GetBytes($$"""{"p":{{publisher}},"i":{{index}}}"""),
        Timestamp = 0,
    };

    protected static Client Connect(Node node, string user)
    {
        var client = node.CreateClient("test", FrameEncoder.Instance, ReadOnlyMemory<byte>.Empty);
        client.Authenticate(new HeraldPrincipal(user, "acme", null)).ShouldBeNull();
        return client;
    }

    protected static async Task<SubscribeResult> SubscribeAsync(Client client, string channel, StreamPosition? since = null)
    {
        SubscribeResult? answer = null;
        var error = await client.SubscribeAsync(channel, null, since, r => answer = r).AsTask().Bounded();
        error.ShouldBeNull();
        return answer.ShouldNotBeNull();
    }

    protected static async Task<Publication> PublishAsync(Node node, string channel, int publisher = 0, int index = 0)
    {
        var (publication, error) = await node.PublishAsync(new PublishRequest(channel, "test.event", Encoding.UTF8.GetBytes($$"""{"p":{{publisher}},"i":{{index}}}"""))).AsTask().Bounded();
        error.ShouldBeNull();
        return publication.ShouldNotBeNull();
    }

    /// <summary>Takes frames from the client's send queue until <paramref name="done"/> holds for what was taken.</summary>
    protected static async Task<List<JsonElement>> TakeFramesAsync(Client client, Func<List<JsonElement>, bool> done)
    {
        var frames = new List<JsonElement>();
        while (!done(frames))
        {
            if (client.Outbox.TryDequeue(out var frame))
            {
                var root = JsonDocument.Parse(frame.Bytes).RootElement.Clone();
                if (root.ValueKind == JsonValueKind.Array)
                {
                    frames.AddRange(root.EnumerateArray());
                }
                else
                {
                    frames.Add(root);
                }
                continue;
            }
            (await client.Outbox.WaitToReadAsync().AsTask().Bounded()).ShouldBeTrue("the client's queue was closed");
        }
        return frames;
    }

    private static async Task PublishConcurrentlyAsync(IReadOnlyList<Func<int, Task>> publishers, int each)
    {
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = publishers.Select(publish => Task.Run(async () =>
        {
            await start.Task;
            for (var i = 0; i < each; i++)
            {
                await publish(i);
            }
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(tasks).Bounded();
    }

    [Fact]
    public async Task Publish_ConcurrentPublishersOnSeveralNodes_EveryNodeGetsTheSameGaplessOrder()
    {
        const int each = 150;
        var nodes = new List<(IBroker Broker, RecordingHandler Handler)>();
        for (var i = 0; i < 3; i++)
        {
            var started = await StartBrokerAsync();
            await started.Broker.SubscribeAsync(Channel, CancellationToken.None).Bounded();
            nodes.Add(started);
        }

        await PublishConcurrentlyAsync(
            nodes.Select((n, p) => (Func<int, Task>)(async i => await n.Broker.PublishAsync(NewPublication(Channel, p, i), Stream, CancellationToken.None).Bounded())).ToList(),
            each);

        var total = nodes.Count * each;
        var first = await nodes[0].Handler.WaitForAsync(Channel, total);
        first.Select(p => p.Offset).ShouldBe(Enumerable.Range(1, total).Select(o => (long)o));
        first.Select(p => p.Epoch).Distinct().Count().ShouldBe(1);
        foreach (var (_, handler) in nodes.Skip(1))
        {
            (await handler.WaitForAsync(Channel, total)).Select(p => p.Id).ShouldBe(first.Select(p => p.Id));
        }
        nodes.ShouldAllBe(n => n.Handler.Overlaps == 0);
        // Each publisher's publications keep the order it published them in.
        var next = new int[nodes.Count];
        foreach (var publication in first)
        {
            using var data = JsonDocument.Parse(publication.Data);
            var publisher = data.RootElement.GetProperty("p").GetInt32();
            data.RootElement.GetProperty("i").GetInt32().ShouldBe(next[publisher]++);
        }
    }

    [Fact]
    public async Task Publish_WithStream_AssignsGaplessOffsetsUnderConcurrency_AndHistoryHoldsThem()
    {
        const int each = 100;
        var (a, _) = await StartBrokerAsync();
        var (b, _) = await StartBrokerAsync();
        var placed = new System.Collections.Concurrent.ConcurrentBag<Publication>();

        await PublishConcurrentlyAsync(
            [
                async i => placed.Add(await a.PublishAsync(NewPublication(Channel, 0, i), Stream, CancellationToken.None).Bounded()),
                async i => placed.Add(await a.PublishAsync(NewPublication(Channel, 1, i), Stream, CancellationToken.None).Bounded()),
                async i => placed.Add(await b.PublishAsync(NewPublication(Channel, 2, i), Stream, CancellationToken.None).Bounded()),
                async i => placed.Add(await b.PublishAsync(NewPublication(Channel, 3, i), Stream, CancellationToken.None).Bounded()),
            ],
            each);

        placed.Select(p => p.Offset).Order().ShouldBe(Enumerable.Range(1, 4 * each).Select(o => (long)o));
        var epoch = placed.Select(p => p.Epoch).Distinct().ShouldHaveSingleItem();
        var position = await b.GetPositionAsync(Channel, CancellationToken.None).Bounded();
        position.ShouldBe(new StreamPosition(4 * each, epoch!));
        var page = await a.ReadHistoryAsync(Channel, new HistoryQuery(0, 1000), CancellationToken.None).Bounded();
        page.Position.ShouldBe(position);
        page.Publications.Select(p => p.Id).ShouldBe(placed.OrderBy(p => p.Offset).Select(p => p.Id));
    }

    [Fact]
    public async Task Publish_ReachesEveryNodeWithSubscribers_AndNoOther()
    {
        var (a, handlerA) = await StartBrokerAsync();
        var (b, handlerB) = await StartBrokerAsync();
        var (c, handlerC) = await StartBrokerAsync();
        await a.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        await b.SubscribeAsync(Channel, CancellationToken.None).Bounded();

        var first = await c.PublishAsync(NewPublication(Channel, 0, 1), Stream, CancellationToken.None).Bounded();
        (await handlerA.WaitForAsync(Channel, 1)).ShouldHaveSingleItem().Id.ShouldBe(first.Id);
        (await handlerB.WaitForAsync(Channel, 1)).ShouldHaveSingleItem().Id.ShouldBe(first.Id);

        await b.UnsubscribeAsync(Channel, CancellationToken.None).Bounded();
        var second = await a.PublishAsync(NewPublication(Channel, 0, 2), Stream, CancellationToken.None).Bounded();
        (await handlerA.WaitForAsync(Channel, 2)).Last().Id.ShouldBe(second.Id);

        // Per-channel order on a node: had C (never subscribed) or B (unsubscribed) received an
        // earlier publication, it would arrive before the one they subscribe for now.
        await b.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        await c.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        var third = await a.PublishAsync(NewPublication(Channel, 0, 3), Stream, CancellationToken.None).Bounded();
        (await handlerB.WaitForAsync(Channel, 2)).Select(p => p.Id).ShouldBe([first.Id, third.Id]);
        (await handlerC.WaitForAsync(Channel, 1)).ShouldHaveSingleItem().Id.ShouldBe(third.Id);
    }

    [Fact]
    public async Task Publish_WithoutStream_IsDeliveredWithoutOffset_AndKeptNowhere()
    {
        var (a, _) = await StartBrokerAsync();
        var (b, handlerB) = await StartBrokerAsync();
        await b.SubscribeAsync("plain:acme", CancellationToken.None).Bounded();

        var published = await a.PublishAsync(NewPublication("plain:acme"), null, CancellationToken.None).Bounded();

        published.Offset.ShouldBe(0);
        published.Epoch.ShouldBeNull();
        var received = (await handlerB.WaitForAsync("plain:acme", 1)).ShouldHaveSingleItem();
        received.Id.ShouldBe(published.Id);
        received.Offset.ShouldBe(0);
        (await a.GetPositionAsync("plain:acme", CancellationToken.None).Bounded()).Offset.ShouldBe(0);
    }

    [Fact]
    public async Task Outage_ThenReconnect_TellsTheHandler_AndHistoryHoldsExactlyWhatWasMissed()
    {
        var (a, handlerA) = await StartBrokerAsync();
        var (b, handlerB) = await StartBrokerAsync();
        await a.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        await b.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        for (var i = 0; i < 3; i++)
        {
            await a.PublishAsync(NewPublication(Channel, 0, i), Stream, CancellationToken.None).Bounded();
        }
        var seen = (await handlerB.WaitForAsync(Channel, 3)).Last();

        await InterruptAsync(b);
        var missed = new List<Publication>();
        for (var i = 3; i < 8; i++)
        {
            missed.Add(await a.PublishAsync(NewPublication(Channel, 0, i), Stream, CancellationToken.None).Bounded());
        }
        await handlerA.WaitForAsync(Channel, 8);
        await ResumeAsync(b);

        handlerB.Reconnects.ShouldBe(1);
        var page = await b.ReadHistoryAsync(Channel, new HistoryQuery(seen.Offset, 1000), CancellationToken.None).Bounded();
        page.Position.ShouldBe(new StreamPosition(missed[^1].Offset, seen.Epoch!));
        page.Publications.Select(p => p.Id).ShouldBe(missed.Select(p => p.Id));
        // The subscription survived the outage, and what was published meanwhile never arrives.
        var after = await a.PublishAsync(NewPublication(Channel, 0, 8), Stream, CancellationToken.None).Bounded();
        (await handlerB.WaitForAsync(Channel, 4)).Select(p => p.Offset).ShouldBe([1, 2, 3, after.Offset]);
    }

    [Fact]
    public async Task Outage_ThenReconnect_DisconnectsSubscribersWithStreams_WhoThenRecoverWhatTheyMissed()
    {
        var (publisher, _) = await StartNodeAsync("a");
        var (node, broker) = await StartNodeAsync("b");
        var client = Connect(node, "u_1");
        var plain = Connect(node, "u_2");
        await SubscribeAsync(client, Channel);
        await SubscribeAsync(plain, "plain:acme");
        await PublishAsync(publisher, Channel, 0, 0);
        await PublishAsync(publisher, Channel, 0, 1);
        var seen = await TakeFramesAsync(client, f => f.Count == 2);
        var last = seen[^1].GetProperty("offset").GetInt64();
        var epoch = (await broker.GetPositionAsync(Channel, CancellationToken.None).Bounded()).Epoch;

        await InterruptAsync(broker);
        var missed = new List<Publication>();
        for (var i = 2; i < 5; i++)
        {
            missed.Add(await PublishAsync(publisher, Channel, 0, i));
        }
        await ResumeAsync(broker);

        await client.Disconnected.Bounded();
        client.DisconnectCode.ShouldBe(DisconnectCode.BrokerInterrupted);
        HeraldCodes.ShouldReconnect(DisconnectCode.BrokerInterrupted).ShouldBeTrue();
        plain.DisconnectCode.ShouldBeNull();
        var again = Connect(node, "u_1");
        var answer = await SubscribeAsync(again, Channel, new StreamPosition(last, epoch));
        answer.Recovered.ShouldBe(true);
        answer.Publications.Select(p => p.Id).ShouldBe(missed.Select(p => p.Id));
        var next = await PublishAsync(publisher, Channel, 0, 5);
        (await TakeFramesAsync(again, f => f.Count == 1)).ShouldHaveSingleItem().GetProperty("id").GetString().ShouldBe(next.Id);
    }

    [Fact]
    public async Task Subscribe_WithSince_WhileOtherNodesPublish_SeesEveryPublicationExactlyOnce()
    {
        const int each = 300;
        const long total = 2 * each;
        var (a, _) = await StartNodeAsync("a");
        var (b, _) = await StartNodeAsync("b");
        var (c, _) = await StartNodeAsync("c");
        var started = new TaskCompletionSource<Publication>(TaskCreationOptions.RunContinuationsAsynchronously);
        // Two publishers on other nodes; the subscribes start once 50 publications are placed.
        var publishers = new[] { a, b }.Select((node, p) => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var placed = await PublishAsync(node, Channel, p, i);
                if (placed.Offset >= 50)
                {
                    started.TrySetResult(placed);
                }
                // Leaves room for the subscribes to run between publications.
                await Task.Yield();
            }
        })).ToArray();
        var since = await started.Task.Bounded();
        var recovering = Connect(c, "u_1");
        var fresh = Connect(c, "u_2");
        var recovered = await SubscribeAsync(recovering, Channel, new StreamPosition(since.Offset, since.Epoch!));
        var plain = await SubscribeAsync(fresh, Channel);
        await Task.WhenAll(publishers).Bounded();

        recovered.Recovered.ShouldBe(true);
        var live = await TakeFramesAsync(recovering, f => recovered.Position!.Value.Offset == total || (f.Count > 0 && f[^1].GetProperty("offset").GetInt64() == total));
        recovered.Publications.Select(p => p.Offset).Concat(live.Select(f => f.GetProperty("offset").GetInt64()))
            .ShouldBe(Range(since.Offset + 1, total));
        var liveFresh = await TakeFramesAsync(fresh, f => plain.Position!.Value.Offset == total || (f.Count > 0 && f[^1].GetProperty("offset").GetInt64() == total));
        liveFresh.Select(f => f.GetProperty("offset").GetInt64()).ShouldBe(Range(plain.Position!.Value.Offset + 1, total));
    }

    [Fact]
    public async Task PresenceJoinAndLeave_ReachSubscribersOnEveryNode_WithoutOffset()
    {
        const string workspace = "workspace:acme/ws_1";
        var (a, _) = await StartNodeAsync("a");
        var (b, _) = await StartNodeAsync("b");
        var watcher = Connect(a, "u_1");
        await SubscribeAsync(watcher, workspace);
        (await TakeFramesAsync(watcher, f => f.Count == 1)).ShouldHaveSingleItem().GetProperty("type").GetString().ShouldBe("presence.join");

        var visitor = Connect(b, "u_2");
        await SubscribeAsync(visitor, workspace);
        var join = (await TakeFramesAsync(watcher, f => f.Count == 1)).ShouldHaveSingleItem();
        visitor.Unsubscribe(workspace).ShouldBeNull();
        var leave = (await TakeFramesAsync(watcher, f => f.Count == 1)).ShouldHaveSingleItem();

        join.GetProperty("type").GetString().ShouldBe("presence.join");
        join.GetProperty("data").GetProperty("user").GetString().ShouldBe("u_2");
        join.GetProperty("offset").GetInt64().ShouldBe(0);
        leave.GetProperty("type").GetString().ShouldBe("presence.leave");
        leave.GetProperty("data").GetProperty("user").GetString().ShouldBe("u_2");
        leave.GetProperty("offset").GetInt64().ShouldBe(0);
    }

    private static IEnumerable<long> Range(long from, long through)
    {
        for (var offset = from; offset <= through; offset++)
        {
            yield return offset;
        }
    }
}
