using System.Text.Json;
using Herald.Core.Brokers;
using Herald.Core.Cluster;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;

namespace Herald.Core.Tests.Cluster;

/// <summary>
/// Several nodes in one process as one cluster: one broker bus, one presence store, one node
/// registry. The nodes' clock never moves (their timers never fire); the registry has a clock of
/// its own, which a test moves to make heartbeats old. Every await is bounded.
/// </summary>
public sealed class ClusterTests : IAsyncLifetime
{
    private const string Workspace = "workspace:acme/ws_1";

    private readonly MemoryBrokerBus _bus = new();
    private readonly MemoryPresenceStore _presence = new();
    private readonly FakeTimeProvider _clusterTime = new();
    private readonly FakeTimeProvider _nodeTime = new();
    private readonly MemoryClusterMembership _membership;
    private readonly List<IAsyncDisposable> _owned = [];

    public ClusterTests()
    {
        _membership = new MemoryClusterMembership(_clusterTime);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().AsTask().WaitAsync(TestNode.Timeout);
        }
    }

    private async Task<Node> StartNodeAsync(string name)
    {
        var node = new Node(new HeraldOptions { NodeName = name }, new MemoryBroker(_bus), time: _nodeTime, presence: _presence, membership: _membership);
        _owned.Add(node);
        await node.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        return node;
    }

    /// <summary>Takes frames until one of <paramref name="type"/> arrives; returns the frames taken, that one last.</summary>
    private static async Task<List<JsonElement>> TakeUntilAsync(Client client, string type)
    {
        var frames = new List<JsonElement>();
        while (true)
        {
            while (client.Outbox.TryDequeue(out var frame))
            {
                var root = JsonDocument.Parse(frame.Bytes).RootElement.Clone();
                frames.Add(root);
                if (root.GetProperty("type").GetString() == type)
                {
                    return frames;
                }
            }
            (await client.Outbox.WaitToReadAsync().AsTask().WaitAsync(TestNode.Timeout)).ShouldBeTrue("the client's queue was closed");
        }
    }

    /// <summary>Everything the client received before a marker published now on the channel: the broker delivers in order, so nothing earlier is still on its way.</summary>
    private static async Task<List<string>> EventsBeforeMarkerAsync(Node node, Client client, string channel)
    {
        await node.PublishOkAsync(channel, "test.marker");
        var frames = await TakeUntilAsync(client, "test.marker");
        return frames.SkipLast(1).Select(f => $"{f.GetProperty("type").GetString()} {f.GetProperty("data").GetProperty("user").GetString()}").ToList();
    }

    private static async Task<IReadOnlyList<string>> PresenceAsync(Node node)
    {
        var (users, error) = await node.GetPresenceAsync(Workspace).AsTask().WaitAsync(TestNode.Timeout);
        error.ShouldBeNull();
        return users!.Select(u => $"{u.UserId}:{u.Connections}").ToList();
    }

    [Fact]
    public async Task Presence_IsTheSameOnEveryNode()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        await a.Connect("u_1").SubscribeOkAsync(Workspace);
        await b.Connect("u_2").SubscribeOkAsync(Workspace);
        await b.Connect("u_1").SubscribeOkAsync(Workspace);

        (await PresenceAsync(a)).ShouldBe(["u_1:2", "u_2:1"]);
        (await PresenceAsync(b)).ShouldBe(["u_1:2", "u_2:1"]);
    }

    [Fact]
    public async Task JoinAndLeave_GoOutOncePerUser_WhateverNodesItsConnectionsAreOn()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var c = await StartNodeAsync("c");
        var watcher = c.Connect("u_9");
        await watcher.SubscribeOkAsync(Workspace);
        (await EventsBeforeMarkerAsync(c, watcher, Workspace)).ShouldBe(["presence.join u_9"]);

        var onA = a.Connect("u_1");
        var onB = b.Connect("u_1");
        await onA.SubscribeOkAsync(Workspace);
        await onB.SubscribeOkAsync(Workspace);
        (await EventsBeforeMarkerAsync(a, watcher, Workspace)).ShouldBe(["presence.join u_1"]);

        onA.Unsubscribe(Workspace).ShouldBeNull();
        (await EventsBeforeMarkerAsync(b, watcher, Workspace)).ShouldBeEmpty();
        onB.Close();
        (await EventsBeforeMarkerAsync(a, watcher, Workspace)).ShouldBe(["presence.leave u_1"]);
        (await PresenceAsync(b)).ShouldBe(["u_9:1"]);
    }

    [Fact]
    public async Task ANodeThatStopsHeartbeating_IsRemovedWithItsEntries_AndTheirLeaves_AndRejoinsWhenBack()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var watcher = b.Connect("u_9");
        await watcher.SubscribeOkAsync(Workspace);
        await a.Connect("u_1").SubscribeOkAsync(Workspace);
        await b.Connect("u_2").SubscribeOkAsync(Workspace);
        await a.Connect("u_2").SubscribeOkAsync(Workspace);
        await EventsBeforeMarkerAsync(b, watcher, Workspace);

        // Both heartbeats get old; only b beats again before it looks for dead nodes.
        _clusterTime.Advance(TimeSpan.FromSeconds(a.Options.Cluster.NodeTimeoutSeconds + 1));
        await ClusterHeartbeat.RunOnceAsync(b, CancellationToken.None).WaitAsync(TestNode.Timeout);

        (await EventsBeforeMarkerAsync(b, watcher, Workspace)).ShouldBe(["presence.leave u_1"]);
        (await PresenceAsync(b)).ShouldBe(["u_2:1", "u_9:1"]);
        (await _membership.ListNodesAsync(CancellationToken.None)).Select(n => n.Name).ShouldBe(["b"]);

        // a was only cut off: at its next heartbeat it finds itself removed and joins again.
        await ClusterHeartbeat.RunOnceAsync(a, CancellationToken.None).WaitAsync(TestNode.Timeout);

        (await EventsBeforeMarkerAsync(b, watcher, Workspace)).ShouldBe(["presence.join u_1"]);
        (await PresenceAsync(a)).ShouldBe(["u_1:1", "u_2:2", "u_9:1"]);
        (await _membership.ListNodesAsync(CancellationToken.None)).Select(n => n.Name).ShouldBe(["a", "b"]);
    }

    [Fact]
    public async Task ANodeThatStops_LeavesTheCluster_WithTheLeavesOfItsConnections()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var watcher = b.Connect("u_9");
        await watcher.SubscribeOkAsync(Workspace);
        await a.Connect("u_1").SubscribeOkAsync(Workspace);
        await EventsBeforeMarkerAsync(b, watcher, Workspace);

        _owned.Remove(a);
        await a.DisposeAsync().AsTask().WaitAsync(TestNode.Timeout);

        (await EventsBeforeMarkerAsync(b, watcher, Workspace)).ShouldBe(["presence.leave u_1"]);
        (await _membership.ListNodesAsync(CancellationToken.None)).Select(n => n.Name).ShouldBe(["b"]);
    }

    [Fact]
    public async Task DisconnectUserEverywhere_ClosesTheUsersConnectionsOnEveryNode_AndCountsThisNodes()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var onA = new[] { a.Connect("u_1"), a.Connect("u_1") };
        var onB = b.Connect("u_1");
        var other = b.Connect("u_2");

        (await a.DisconnectUserEverywhereAsync("u_1", DisconnectCode.ForceDisconnect).AsTask().WaitAsync(TestNode.Timeout)).ShouldBe(2);

        await onB.Disconnected.WaitAsync(TestNode.Timeout);
        onB.DisconnectCode.ShouldBe(DisconnectCode.ForceDisconnect);
        onA.ShouldAllBe(c => c.DisconnectCode == DisconnectCode.ForceDisconnect);
        other.DisconnectCode.ShouldBeNull();
    }

    private sealed class WaitingHandler : IOperationHandler
    {
        public string Type => "t.wait";

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Cancelled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Runs;

        public async Task ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Runs);
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            finally
            {
                Cancelled.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task Cancel_OnAnotherNode_ReachesTheInProcessHandler()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var store = new MemoryOperationStore();
        var handler = new WaitingHandler();
        var onA = new OperationService(a, store, new OperationsOptions(), [handler]);
        _owned.Add(onA);
        var onB = new OperationService(b, store, new OperationsOptions(), [handler]);
        _owned.Add(onB);
        await onA.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        await onB.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        var actor = OperationActor.ForApiKey("test");
        var (operation, created, _) = await onA.CreateAsync(new OperationRequest("t.wait", "service:acme/s1", default, null), actor).AsTask().WaitAsync(TestNode.Timeout);
        created.ShouldBeTrue();
        await handler.Started.Task.WaitAsync(TestNode.Timeout);

        var (cancelled, error) = await onB.CancelAsync(operation!.Id, actor).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldBeNull();
        cancelled!.CancelRequested.ShouldBeTrue();
        await handler.Cancelled.Task.WaitAsync(TestNode.Timeout);
        var deadline = DateTime.UtcNow + TestNode.Timeout;
        Operation? final;
        while ((final = await store.GetAsync(operation.Id, CancellationToken.None)) is not { Status: OperationStatus.Cancelled } && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        final!.Status.ShouldBe(OperationStatus.Cancelled);
        handler.Runs.ShouldBe(1);
    }

    [Fact]
    public async Task AnInProcessOperation_IsKeptFreshByItsNode_SoAnotherNodesStaleCheckLeavesItRunning()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var store = new MemoryOperationStore();
        var handler = new WaitingHandler();
        var options = new OperationsOptions { StaleAfterSeconds = 60 };
        var onA = new OperationService(a, store, options, [handler]);
        _owned.Add(onA);
        var onB = new OperationService(b, store, options, []);
        _owned.Add(onB);
        await onA.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        await onB.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        var actor = OperationActor.ForApiKey("test");
        var (operation, _, _) = await onA.CreateAsync(new OperationRequest("t.wait", "service:acme/s1", default, null), actor).AsTask().WaitAsync(TestNode.Timeout);
        await handler.Started.Task.WaitAsync(TestNode.Timeout);
        // As if its last update were 61 seconds ago (a handler that reports nothing): b would time it out.
        var running = (await store.GetAsync(operation!.Id, CancellationToken.None))!;
        (await store.TryUpdateAsync(running with { UpdatedAt = running.UpdatedAt.AddSeconds(-61), Version = running.Version + 1 }, running.Version, CancellationToken.None)).ShouldBeTrue();

        await onA.KeepRunningFreshAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        await onB.RunMaintenanceOnceAsync().WaitAsync(TestNode.Timeout);

        var after = (await store.GetAsync(operation.Id, CancellationToken.None))!;
        after.Status.ShouldBe(OperationStatus.Running);
        after.UpdatedAt.ShouldBe(_nodeTime.GetUtcNow());
        handler.Cancelled.Task.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task AnOperationWhoseNodeStoppedRefreshingIt_TimesOutOnAnotherNode()
    {
        var b = await StartNodeAsync("b");
        var store = new MemoryOperationStore();
        var onB = new OperationService(b, store, new OperationsOptions { StaleAfterSeconds = 60 }, []);
        _owned.Add(onB);
        await onB.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        var now = _nodeTime.GetUtcNow();
        var orphan = new Operation
        {
            Id = Operation.NewId(), OrgId = "acme", Type = "t.wait", Resource = "service:acme/s1", Status = OperationStatus.Running,
            CreatedBy = "in-process", CreatedAt = now.AddSeconds(-120), UpdatedAt = now.AddSeconds(-61), Version = 2,
        };
        (await store.CreateAsync(orphan, CancellationToken.None)).Created.ShouldBeTrue();

        await onB.RunMaintenanceOnceAsync().WaitAsync(TestNode.Timeout);

        (await store.GetAsync(orphan.Id, CancellationToken.None))!.Status.ShouldBe(OperationStatus.Failed);
    }

    [Fact]
    public async Task UnreadCount_OfAUserConnectedOnlyToAnotherNode_IsPushedByThatNode()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var store = new MemoryNotificationStore();
        var onA = new NotificationService(a, store);
        _owned.Add(onA);
        var onB = new NotificationService(b, store);
        _owned.Add(onB);
        await onA.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        await onB.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        var user = b.Connect("u_1");
        await user.SubscribeOkAsync("user:u_1");
        var member = b.Connect("u_2");
        await member.SubscribeOkAsync("user:u_2");

        (await onA.CreateAsync(new NotificationRequest("u_1", null, "Build failed", "main is red", null, null, default)).AsTask().WaitAsync(TestNode.Timeout)).Error.ShouldBeNull();
        var pushed = (await TakeUntilAsync(user, "notifications.unread"))[^1];
        pushed.GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(1);

        (await onA.CreateAsync(new NotificationRequest(null, "acme", "Maintenance", "tonight", null, null, default)).AsTask().WaitAsync(TestNode.Timeout)).Error.ShouldBeNull();
        var memberPushed = (await TakeUntilAsync(member, "notifications.unread"))[^1];
        memberPushed.GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(1);
        (await TakeUntilAsync(user, "notifications.unread"))[^1].GetProperty("data").GetProperty("unread").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task MaintenanceLeadership_IsHeldByOneNodeAtATime()
    {
        var a = await StartNodeAsync("a");
        var b = await StartNodeAsync("b");
        var runs = 0;
        Task Work(CancellationToken _)
        {
            Interlocked.Increment(ref runs);
            return Task.CompletedTask;
        }
        var held = await a.Membership.TryLeadAsync(OperationService.MaintenanceJob, CancellationToken.None);
        held.ShouldNotBeNull();

        (await b.Membership.RunAsLeaderAsync(OperationService.MaintenanceJob, Work, CancellationToken.None)).ShouldBeFalse();
        (await a.Membership.RunAsLeaderAsync(OperationService.MaintenanceJob, Work, CancellationToken.None)).ShouldBeFalse();
        runs.ShouldBe(0);

        await held.DisposeAsync();
        (await b.Membership.RunAsLeaderAsync(OperationService.MaintenanceJob, Work, CancellationToken.None)).ShouldBeTrue();
        runs.ShouldBe(1);
        (await a.Membership.TryLeadAsync(OperationService.MaintenanceJob, CancellationToken.None)).ShouldNotBeNull();
    }

    [Fact]
    public async Task Nodes_RegisterAtStart_WithTheirReports()
    {
        var a = await StartNodeAsync("a");
        await StartNodeAsync("b");
        a.Connect("u_1");

        var nodes = await _membership.ListNodesAsync(CancellationToken.None);

        nodes.Select(n => n.Name).ShouldBe(["a", "b"]);
        a.Report().Connections.ShouldBe(1);
        a.Report().Version.ShouldNotBeNullOrEmpty();
    }

    [Fact]
    public void NodeName_WhenUnset_IsTheMachineNameAndARandomSuffix()
    {
        var name = new Node(new HeraldOptions(), new MemoryBroker()).Name;

        name.ShouldStartWith(Environment.MachineName + "-");
        name[(Environment.MachineName.Length + 1)..].ShouldMatch("^[0-9a-f]{4}$");
        new Node(new HeraldOptions { NodeName = "edge-1" }, new MemoryBroker()).Name.ShouldBe("edge-1");
    }
}
