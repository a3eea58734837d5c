using System.Text;
using Herald.Core.Cluster;
using Herald.Messages.Presence;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Cluster;

/// <summary>
/// The <see cref="IPresenceStore"/> contract: every store inherits these tests. Each test gets a
/// fresh, initialized store; <see cref="CreateStoreAsync"/> gives another node's store on the same
/// storage, for the races between nodes. Every await is bounded by <see cref="Within.Timeout"/>.
/// </summary>
public abstract class PresenceStoreSpecification : IAsyncLifetime
{
    protected const string Channel = "workspace:acme/ws_1";

    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private IPresenceStore? _store;

    protected IPresenceStore Store => _store ?? throw new InvalidOperationException("the store is not initialized");

    /// <summary>A store over this test's storage, as another node of the cluster would have. Not initialized.</summary>
    protected abstract IPresenceStore CreateStore();

    public virtual async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
    }

    public virtual Task DisposeAsync() => Task.CompletedTask;

    protected async Task<IPresenceStore> CreateStoreAsync()
    {
        var store = CreateStore();
        await store.InitializeAsync(CancellationToken.None).Bounded();
        return store;
    }

    private static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    private static byte[] Info(string json) => Encoding.UTF8.GetBytes(json);

    private static Task<PresenceEntry?> JoinAsync(IPresenceStore store, string user, string client, string node = "a", string info = "", int at = 0, string channel = Channel) =>
        store.JoinAsync(channel, user, client, node, Info(info), At(at), CancellationToken.None).Bounded();

    private static Task<PresenceEntry?> LeaveAsync(IPresenceStore store, string user, string client, string channel = Channel) =>
        store.LeaveAsync(channel, user, client, CancellationToken.None).Bounded();

    private Task<IReadOnlyList<PresenceEntry>> ListAsync(string channel = Channel) => Store.ListAsync(channel, CancellationToken.None).Bounded();

    [Fact]
    public async Task Join_FirstConnectionOfAUser_AnswersTheEntry_LaterOnesOnAnyNodeAnswerNull()
    {
        var first = await JoinAsync(Store, "u_1", "c_1", node: "a", info: """{"view":"list"}""", at: 1);
        var second = await JoinAsync(Store, "u_1", "c_2", node: "b", info: """{"view":"board"}""", at: 2);

        first.ShouldNotBeNull();
        first.UserId.ShouldBe("u_1");
        first.Connections.ShouldBe(1);
        Encoding.UTF8.GetString(first.Info.Span).ShouldBe("""{"view":"list"}""");
        first.Since.ShouldBe(At(1));
        second.ShouldBeNull();
    }

    [Fact]
    public async Task List_AggregatesEachUserAcrossNodes_NewestInfo_OldestSince_OrderedByUserId()
    {
        await JoinAsync(Store, "u_2", "c_1", node: "a", info: """{"n":1}""", at: 1);
        await JoinAsync(Store, "u_1", "c_2", node: "a", info: """{"n":2}""", at: 2);
        await JoinAsync(Store, "u_2", "c_3", node: "b", info: """{"n":3}""", at: 3);
        await JoinAsync(Store, "U_3", "c_4", node: "b", at: 4);
        await JoinAsync(Store, "u_9", "c_5", node: "a", at: 5, channel: "workspace:acme/other");

        var entries = await ListAsync();

        entries.Select(e => e.UserId).ShouldBe(["U_3", "u_1", "u_2"]);
        entries[2].Connections.ShouldBe(2);
        Encoding.UTF8.GetString(entries[2].Info.Span).ShouldBe("""{"n":3}""");
        entries[2].Since.ShouldBe(At(1));
        entries[0].Info.IsEmpty.ShouldBeTrue();
        (await ListAsync("workspace:acme/none")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Leave_AnswersTheEntryOnlyForTheUsersLastConnection()
    {
        await JoinAsync(Store, "u_1", "c_1", node: "a", info: """{"n":1}""", at: 1);
        await JoinAsync(Store, "u_1", "c_2", node: "b", info: """{"n":2}""", at: 2);

        (await LeaveAsync(Store, "u_1", "c_1")).ShouldBeNull();
        var last = await LeaveAsync(Store, "u_1", "c_2");

        last.ShouldNotBeNull();
        last.UserId.ShouldBe("u_1");
        last.Connections.ShouldBe(0);
        Encoding.UTF8.GetString(last.Info.Span).ShouldBe("""{"n":2}""");
        last.Since.ShouldBe(At(2));
        (await ListAsync()).ShouldBeEmpty();
    }

    [Fact]
    public async Task Leave_OfAConnectionThatIsNotPresent_AnswersNull()
    {
        await JoinAsync(Store, "u_1", "c_1");

        (await LeaveAsync(Store, "u_1", "c_other")).ShouldBeNull();
        (await LeaveAsync(Store, "u_2", "c_1")).ShouldBeNull();
        (await LeaveAsync(Store, "u_1", "c_1", channel: "workspace:acme/other")).ShouldBeNull();
        (await ListAsync()).ShouldHaveSingleItem().Connections.ShouldBe(1);
        (await LeaveAsync(Store, "u_1", "c_1")).ShouldNotBeNull();
        (await LeaveAsync(Store, "u_1", "c_1")).ShouldBeNull();
    }

    [Fact]
    public async Task Join_AfterTheUserLeft_IsAFirstConnectionAgain()
    {
        await JoinAsync(Store, "u_1", "c_1");
        await LeaveAsync(Store, "u_1", "c_1");

        (await JoinAsync(Store, "u_1", "c_2", at: 9)).ShouldNotBeNull().Since.ShouldBe(At(9));
    }

    [Fact]
    public async Task RemoveNode_RemovesItsEntries_AndAnswersTheLeavesOfUsersWithNoConnectionLeft()
    {
        const string other = "workspace:acme/ws_2";
        await JoinAsync(Store, "u_1", "c_1", node: "dead", info: """{"n":1}""", at: 1);
        await JoinAsync(Store, "u_1", "c_2", node: "dead", at: 2);
        await JoinAsync(Store, "u_2", "c_3", node: "dead", at: 3);
        await JoinAsync(Store, "u_2", "c_4", node: "alive", at: 4);
        await JoinAsync(Store, "u_1", "c_5", node: "dead", at: 5, channel: other);
        await JoinAsync(Store, "u_3", "c_6", node: "alive", at: 6, channel: other);

        var leaves = await Store.RemoveNodeAsync("dead", CancellationToken.None).Bounded();

        leaves.OrderBy(l => l.Channel, StringComparer.Ordinal).Select(l => (l.Channel, l.Left.UserId, l.Left.Connections))
            .ShouldBe([(Channel, "u_1", 0), (other, "u_1", 0)]);
        leaves.Single(l => l.Channel == Channel).Left.Since.ShouldBe(At(1));
        var left = await ListAsync();
        left.ShouldHaveSingleItem().UserId.ShouldBe("u_2");
        left[0].Connections.ShouldBe(1);
        (await ListAsync(other)).ShouldHaveSingleItem().UserId.ShouldBe("u_3");
        (await Store.RemoveNodeAsync("dead", CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [Fact]
    public async Task ConcurrentJoinsAndLeavesOfOneUserOnSeveralNodes_AnswerExactlyOneJoinAndOneLeave()
    {
        const int nodes = 4;
        const int each = 5;
        var stores = new List<IPresenceStore>();
        for (var i = 0; i < nodes; i++)
        {
            stores.Add(await CreateStoreAsync());
        }
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var joinTasks = Enumerable.Range(0, nodes * each).Select(i => Task.Run(async () =>
        {
            await start.Task;
            return await JoinAsync(stores[i % nodes], "u_1", $"c_{i}", node: $"n{i % nodes}", at: i);
        })).ToArray();
        start.SetResult();
        var joins = await Task.WhenAll(joinTasks).Bounded();
        var leaveStart = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var leaveTasks = Enumerable.Range(0, nodes * each).Select(i => Task.Run(async () =>
        {
            await leaveStart.Task;
            return await LeaveAsync(stores[(i + 1) % nodes], "u_1", $"c_{i}");
        })).ToArray();
        leaveStart.SetResult();
        var leaves = await Task.WhenAll(leaveTasks).Bounded();

        joins.Count(j => j is not null).ShouldBe(1);
        leaves.Count(l => l is not null).ShouldBe(1);
        leaves.Single(l => l is not null)!.Connections.ShouldBe(0);
        (await ListAsync()).ShouldBeEmpty();
    }
}
