using Herald.Core.Cluster;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Cluster;

/// <summary>
/// The <see cref="IClusterMembership"/> contract: every registry inherits these tests.
/// <see cref="CreateMembership"/> gives the registry of another node of the test's cluster;
/// <see cref="AgeAsync"/> makes a node's heartbeat older without waiting. Every await is bounded
/// by <see cref="Within.Timeout"/>; nothing waits for time to pass.
/// </summary>
public abstract class ClusterMembershipSpecification : IAsyncLifetime
{
    private readonly List<IAsyncDisposable> _leases = [];

    /// <summary>A registry of this test's cluster, as another node would have. Not started.</summary>
    protected abstract IClusterMembership CreateMembership();

    /// <summary>
    /// Makes the heartbeat of <paramref name="node"/> older by <paramref name="by"/>. An
    /// implementation may age every node registered so far (a clock moved forward): tests age a
    /// node before the heartbeats of the nodes meant to stay fresh.
    /// </summary>
    protected abstract Task AgeAsync(string node, TimeSpan by);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var lease in _leases)
        {
            await lease.DisposeAsync().AsTask().Bounded();
        }
    }

    protected async Task<IClusterMembership> StartAsync(string node)
    {
        var membership = CreateMembership();
        await membership.StartAsync(node, CancellationToken.None).Bounded();
        return membership;
    }

    private static NodeReport Report(string node, long connections = 0) => new()
    {
        Name = node,
        Version = "1.2.3",
        StartedAt = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero),
        Connections = connections,
        Users = connections + 1,
        Channels = connections + 2,
        Subscriptions = connections + 3,
        MessagesIn = connections + 4,
        MessagesOut = connections + 5,
        Publications = connections + 6,
        Dropped = connections + 7,
        SlowConsumers = connections + 8,
    };

    private static Task<bool> HeartbeatAsync(IClusterMembership membership, string node, long connections = 0) =>
        membership.HeartbeatAsync(Report(node, connections), CancellationToken.None).Bounded();

    private async Task<IAsyncDisposable?> TryLeadAsync(IClusterMembership membership, string job)
    {
        var lease = await membership.TryLeadAsync(job, CancellationToken.None).Bounded();
        if (lease is not null)
        {
            _leases.Add(lease);
        }
        return lease;
    }

    [Fact]
    public async Task Heartbeat_RegistersTheNode_AndAnswersWhetherItWasRegistered()
    {
        var a = await StartAsync("a");

        (await HeartbeatAsync(a, "a")).ShouldBeFalse();
        (await HeartbeatAsync(a, "a")).ShouldBeTrue();
        await a.RemoveNodeAsync("a", CancellationToken.None).Bounded();
        (await HeartbeatAsync(a, "a")).ShouldBeFalse();
    }

    [Fact]
    public async Task ListNodes_GivesEveryNodesLatestReport_OrderedByName_ToEveryNode()
    {
        var b = await StartAsync("b");
        var a = await StartAsync("a");
        await HeartbeatAsync(b, "b", connections: 1);
        await HeartbeatAsync(a, "a", connections: 10);
        await HeartbeatAsync(b, "b", connections: 20);

        var seenByA = await a.ListNodesAsync(CancellationToken.None).Bounded();
        var seenByB = await b.ListNodesAsync(CancellationToken.None).Bounded();

        seenByA.Select(n => n.Name).ShouldBe(["a", "b"]);
        seenByB.Select(n => (n.Name, n.Connections)).ShouldBe([("a", 10L), ("b", 20L)]);
        var report = seenByA[1];
        report.ShouldBe(Report("b", 20) with { LastSeen = report.LastSeen });
        report.LastSeen.ShouldNotBe(default);
    }

    [Fact]
    public async Task ListDeadNodes_NamesExactlyTheNodesWhoseHeartbeatIsOlderThanTheAge()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        await HeartbeatAsync(a, "a");
        await AgeAsync("a", TimeSpan.FromSeconds(30));
        await HeartbeatAsync(b, "b");

        (await b.ListDeadNodesAsync(TimeSpan.FromSeconds(10), CancellationToken.None).Bounded()).ShouldBe(["a"]);
        (await a.ListDeadNodesAsync(TimeSpan.FromMinutes(5), CancellationToken.None).Bounded()).ShouldBeEmpty();
        (await b.ListNodesAsync(CancellationToken.None).Bounded()).Select(n => n.Name).ShouldBe(["a", "b"]);

        await HeartbeatAsync(a, "a");
        (await b.ListDeadNodesAsync(TimeSpan.FromSeconds(10), CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RemoveNode_UnregistersIt_ForEveryNode_AndIsIdempotent()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");
        await HeartbeatAsync(a, "a");
        await HeartbeatAsync(b, "b");

        await b.RemoveNodeAsync("a", CancellationToken.None).Bounded();
        await b.RemoveNodeAsync("a", CancellationToken.None).Bounded();

        (await a.ListNodesAsync(CancellationToken.None).Bounded()).Select(n => n.Name).ShouldBe(["b"]);
        (await a.ListDeadNodesAsync(TimeSpan.Zero - TimeSpan.FromDays(1), CancellationToken.None).Bounded()).ShouldBe(["b"]);
    }

    [Fact]
    public async Task TryLead_GivesAJobToOneHolderAtATime_UntilTheLeaseIsDisposed()
    {
        var a = await StartAsync("a");
        var b = await StartAsync("b");

        var lease = await TryLeadAsync(a, "job.one");
        lease.ShouldNotBeNull();
        (await TryLeadAsync(b, "job.one")).ShouldBeNull();
        (await TryLeadAsync(a, "job.one")).ShouldBeNull();
        (await TryLeadAsync(b, "job.two")).ShouldNotBeNull();

        await lease.DisposeAsync().AsTask().Bounded();
        (await TryLeadAsync(b, "job.one")).ShouldNotBeNull();
        (await TryLeadAsync(a, "job.one")).ShouldBeNull();
    }

    [Fact]
    public async Task TryLead_ConcurrentlyOnSeveralNodes_GivesExactlyOneLease()
    {
        var nodes = new List<IClusterMembership>();
        for (var i = 0; i < 4; i++)
        {
            nodes.Add(await StartAsync($"n{i}"));
        }
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var attempts = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await nodes[i % nodes.Count].TryLeadAsync("job.race", CancellationToken.None);
        })).ToArray();
        start.SetResult();

        var leases = await Task.WhenAll(attempts).Bounded();

        _leases.AddRange(leases.OfType<IAsyncDisposable>());
        leases.Count(l => l is not null).ShouldBe(1);
    }
}
