using System.Text;
using Herald.Core.Channels;
using Herald.Core.Requests;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;

namespace Herald.Core.Tests;

public sealed class NodeTests
{
    private static PublishRequest Request(string? channel = "org:acme", string? type = "test.event", string data = "{\"n\":1}", IReadOnlyDictionary<string, string>? tags = null, string? key = null) =>
        new(channel, type, Encoding.UTF8.GetBytes(data), tags, key);

    private static TagFilter Filter(string tag, params string[] values) =>
        TagFilter.Create(new Dictionary<string, IReadOnlyList<string>> { [tag] = values }, out _).ShouldNotBeNull();

    [Fact]
    public async Task PublishAsync_ToThousandSubscribers_SharesOneFrameInstanceEncodedOnce()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 1000);
        var clients = new List<Client>();
        for (var i = 0; i < 1000; i++)
        {
            var client = node.Connect($"u_{i}");
            await client.SubscribeOkAsync("org:acme");
            clients.Add(client);
        }
        node.SubscriberCount("org:acme").ShouldBe(1000);

        var publication = await node.PublishOkAsync("org:acme", "workspace.status", "{\"status\":\"RUNNING\"}");

        CountingEncoder.Instance.CallsFor(publication.Id).ShouldBe(1);
        var first = clients[0].Drain().ShouldHaveSingleItem();
        foreach (var client in clients.Skip(1))
        {
            ReferenceEquals(client.Drain().ShouldHaveSingleItem(), first).ShouldBeTrue();
        }
        TestNode.PublicationId(first).ShouldBe(publication.Id);
        TestNode.Data(first).GetProperty("status").GetString().ShouldBe("RUNNING");
        node.Metrics.MessagesOut.ShouldBe(1000);
        node.Metrics.Publications.ShouldBe(1);
    }

    [Fact]
    public async Task PublishAsync_EachPublication_IsEncodedOnceAndGetsItsOwnFrame()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_2");
        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");

        var p1 = await node.PublishOkAsync("org:acme", "one");
        var p2 = await node.PublishOkAsync("org:acme", "two");

        CountingEncoder.Instance.CallsFor(p1.Id).ShouldBe(1);
        CountingEncoder.Instance.CallsFor(p2.Id).ShouldBe(1);
        var framesA = a.Drain();
        var framesB = b.Drain();
        framesA.Types().ShouldBe(["one", "two"]);
        ReferenceEquals(framesA[0], framesB[0]).ShouldBeTrue();
        ReferenceEquals(framesA[1], framesB[1]).ShouldBeTrue();
        ReferenceEquals(framesA[0], framesA[1]).ShouldBeFalse();
    }

    [Fact]
    public async Task PublishAsync_WithoutSubscribers_SucceedsAndEncodesNothing()
    {
        await using var node = await TestNode.StartAsync();

        var publication = await node.PublishOkAsync("org:acme");

        CountingEncoder.Instance.CallsFor(publication.Id).ShouldBe(0);
        node.Metrics.MessagesOut.ShouldBe(0);
    }

    [Fact]
    public async Task PublishAsync_ReturnsThePublicationWithEveryField()
    {
        var time = new FakeTimeProvider();
        await using var node = await TestNode.StartAsync(time: time);
        var tags = new Dictionary<string, string> { ["status"] = "running" };

        var publication = await node.PublishOkAsync("workspace:acme/ws_1", "workspace.status", "{\"a\":[1,2]}", tags, "ws_1");

        publication.Id.ShouldNotBeNullOrWhiteSpace();
        publication.Channel.ShouldBe("workspace:acme/ws_1");
        publication.Type.ShouldBe("workspace.status");
        Encoding.UTF8.GetString(publication.Data.Span).ShouldBe("{\"a\":[1,2]}");
        publication.Key.ShouldBe("ws_1");
        publication.Tags.ShouldNotBeNull()["status"].ShouldBe("running");
        publication.Timestamp.ShouldBe(time.GetUtcNow().ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task PublishAsync_GivesEveryPublicationADistinctId()
    {
        await using var node = await TestNode.StartAsync();

        var ids = new HashSet<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add((await node.PublishOkAsync("org:acme")).Id);
        }

        ids.Count.ShouldBe(100);
    }

    [Fact]
    public async Task PublishAsync_OnlyReachesSubscribersOfThatChannel()
    {
        await using var node = await TestNode.StartAsync();
        var acme = node.Connect("u_1", "acme");
        var workspace = node.Connect("u_2", "acme");
        var globex = node.Connect("u_3", "globex");
        await acme.SubscribeOkAsync("org:acme");
        await workspace.SubscribeOkAsync("task:acme/t_1");
        await globex.SubscribeOkAsync("org:globex");

        await node.PublishOkAsync("org:acme", "for.acme");

        acme.Drain().Types().ShouldBe(["for.acme"]);
        workspace.Drain().ShouldBeEmpty();
        globex.Drain().ShouldBeEmpty();
    }

    [Fact]
    public async Task PublishAsync_RespectsEachSubscriptionsFilter()
    {
        await using var node = await TestNode.StartAsync();
        var all = node.Connect("u_1");
        var failedOnly = node.Connect("u_2");
        var runningOrFailed = node.Connect("u_3");
        await all.SubscribeOkAsync("executions:acme");
        await failedOnly.SubscribeOkAsync("executions:acme", Filter("status", "failed"));
        await runningOrFailed.SubscribeOkAsync("executions:acme", Filter("status", "running", "failed"));

        await node.PublishOkAsync("executions:acme", "e.running", tags: new Dictionary<string, string> { ["status"] = "running" });
        await node.PublishOkAsync("executions:acme", "e.untagged");
        await node.PublishOkAsync("executions:acme", "e.other", tags: new Dictionary<string, string> { ["workflow"] = "wf_1" });
        await node.PublishOkAsync("executions:acme", "e.failed", tags: new Dictionary<string, string> { ["status"] = "failed", ["workflow"] = "wf_1" });

        all.Drain().Types().ShouldBe(["e.running", "e.untagged", "e.other", "e.failed"]);
        failedOnly.Drain().Types().ShouldBe(["e.failed"]);
        runningOrFailed.Drain().Types().ShouldBe(["e.running", "e.failed"]);
    }

    [Fact]
    public async Task PublishAsync_FilteredOutForEverySubscriber_DoesNotEncode()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("executions:acme", Filter("status", "failed"));

        var publication = await node.PublishOkAsync("executions:acme", tags: new Dictionary<string, string> { ["status"] = "running" });

        CountingEncoder.Instance.CallsFor(publication.Id).ShouldBe(0);
        client.Drain().ShouldBeEmpty();
    }

    [Fact]
    public async Task UpdateFilter_ChangesWhatIsDelivered_AndNullClearsIt()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("executions:acme", Filter("status", "running"));

        client.UpdateFilter("executions:acme", Filter("status", "failed")).ShouldBeNull();
        await node.PublishOkAsync("executions:acme", "a", tags: new Dictionary<string, string> { ["status"] = "running" });
        await node.PublishOkAsync("executions:acme", "b", tags: new Dictionary<string, string> { ["status"] = "failed" });
        client.UpdateFilter("executions:acme", null).ShouldBeNull();
        await node.PublishOkAsync("executions:acme", "c");

        client.Drain().Types().ShouldBe(["b", "c"]);
    }

    [Fact]
    public async Task UpdateFilter_NotSubscribed_ReturnsNotSubscribed()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();

        client.UpdateFilter("org:acme", null).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.NotSubscribed);
        client.UpdateFilter("org:", null).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.InvalidChannel);
    }

    [Fact]
    public async Task Validate_ValidRequest_ReturnsNullAndTheNamespaceOptions()
    {
        await using var node = await TestNode.StartAsync();

        node.Validate(Request("user:u_1"), out var options).ShouldBeNull();
        options.Scope.ShouldBe(ChannelScope.User);
    }

    public static TheoryData<string?, string> InvalidTypes() => new()
    {
        { null, "required" },
        { "", "required" },
        { "error", "protocol" },
        { "ping", "protocol" },
        { "pong", "protocol" },
        { "connect", "protocol" },
        { "subscribe", "protocol" },
        { "publish", "protocol" },
        { "disconnect", "protocol" },
        { "batch", "protocol" },
        { "a b", "only contain" },
        { "a/b", "only contain" },
        { "a#b", "only contain" },
        { "a\nb", "only contain" },
        { "é", "only contain" },
        { "émoji😀", "only contain" },
        { "a\"b", "only contain" },
        { new string('t', Node.MaxTypeLength + 1), "longer" },
    };

    [Theory]
    [MemberData(nameof(InvalidTypes))]
    public async Task Validate_BadType_ReturnsBadRequest(string? type, string messagePart)
    {
        await using var node = await TestNode.StartAsync();

        var error = node.Validate(Request(type: type), out _).ShouldNotBeNull();

        error.Code.ShouldBe(HeraldErrorCode.BadRequest);
        error.Message.ShouldContain(messagePart);
    }

    [Theory]
    [InlineData("workspace.status")]
    [InlineData("task:progress")]
    [InlineData("Build-Step_2.done")]
    [InlineData("Error")]
    [InlineData("errors")]
    public async Task Validate_AcceptableType_ReturnsNull(string type)
    {
        await using var node = await TestNode.StartAsync();

        node.Validate(Request(type: type), out _).ShouldBeNull();
    }

    [Fact]
    public async Task Validate_TypeAtMaxLength_IsAccepted()
    {
        await using var node = await TestNode.StartAsync();

        node.Validate(Request(type: new string('t', Node.MaxTypeLength)), out _).ShouldBeNull();
    }

    [Fact]
    public async Task Validate_KeyLongerThanMax_ReturnsBadRequest()
    {
        await using var node = await TestNode.StartAsync();

        node.Validate(Request(key: new string('k', Node.MaxKeyLength)), out _).ShouldBeNull();
        node.Validate(Request(key: new string('k', Node.MaxKeyLength + 1)), out _).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
    }

    [Fact]
    public async Task Validate_TooManyTags_ReturnsBadRequest()
    {
        await using var node = await TestNode.StartAsync();
        var max = Enumerable.Range(0, Node.MaxTags).ToDictionary(i => $"t{i}", i => "v");
        var tooMany = Enumerable.Range(0, Node.MaxTags + 1).ToDictionary(i => $"t{i}", i => "v");

        node.Validate(Request(tags: max), out _).ShouldBeNull();
        node.Validate(Request(tags: tooMany), out _).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
    }

    [Theory]
    [InlineData("", "v")]
    [InlineData("t", null)]
    [InlineData(null, "v")]
    public async Task Validate_TagNameOrValueOutOfBounds_ReturnsBadRequest(string? name, string? value)
    {
        await using var node = await TestNode.StartAsync();
        var tags = new Dictionary<string, string> { [name ?? new string('n', 65)] = value ?? new string('v', 257) };

        node.Validate(Request(tags: tags), out _).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
    }

    [Fact]
    public async Task Validate_TagNameAndValueAtBounds_AreAccepted()
    {
        await using var node = await TestNode.StartAsync();
        var tags = new Dictionary<string, string> { [new string('n', 64)] = new string('v', 256), ["empty"] = "" };

        node.Validate(Request(tags: tags), out _).ShouldBeNull();
    }

    [Fact]
    public async Task Validate_EmptyData_ReturnsBadRequest()
    {
        await using var node = await TestNode.StartAsync();

        var error = node.Validate(Request(data: ""), out _).ShouldNotBeNull();

        error.Code.ShouldBe(HeraldErrorCode.BadRequest);
        error.Message.ShouldContain("data");
    }

    [Theory]
    [InlineData(null, HeraldErrorCode.InvalidChannel)]
    [InlineData("org:", HeraldErrorCode.InvalidChannel)]
    [InlineData("org acme", HeraldErrorCode.InvalidChannel)]
    [InlineData("chat:room", HeraldErrorCode.UnknownNamespace)]
    public async Task Validate_BadChannel_ReturnsChannelError(string? channel, HeraldErrorCode code)
    {
        await using var node = await TestNode.StartAsync();

        node.Validate(Request(channel: channel), out _).ShouldNotBeNull().Code.ShouldBe(code);
    }

    [Fact]
    public async Task PublishAsync_InvalidRequest_ReturnsTheErrorAndDeliversNothing()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");

        var (publication, error) = await node.PublishAsync(Request(type: "ping")).AsTask().WaitAsync(TestNode.Timeout);

        publication.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
        client.Drain().ShouldBeEmpty();
        node.Metrics.Publications.ShouldBe(0);
    }

    [Fact]
    public async Task BroadcastAsync_PublishesIntoEveryChannel()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_2");
        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("task:acme/t_1");

        var (publications, error) = await node.BroadcastAsync(["org:acme", "task:acme/t_1"], Request(channel: null, type: "x")).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldBeNull();
        publications.ShouldNotBeNull().Select(p => p.Channel).ShouldBe(["org:acme", "task:acme/t_1"]);
        a.Drain().Types().ShouldBe(["x"]);
        b.Drain().Types().ShouldBe(["x"]);
    }

    [Fact]
    public async Task BroadcastAsync_OneInvalidChannel_PublishesNothing()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect();
        await a.SubscribeOkAsync("org:acme");

        var (publications, error) = await node.BroadcastAsync(["org:acme", "chat:x"], Request(channel: null)).AsTask().WaitAsync(TestNode.Timeout);

        publications.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.UnknownNamespace);
        error.Value.Message.ShouldContain("chat:x");
        a.Drain().ShouldBeEmpty();
    }

    [Fact]
    public async Task BroadcastAsync_NoChannels_ReturnsBadRequest()
    {
        await using var node = await TestNode.StartAsync();

        var (_, error) = await node.BroadcastAsync([], Request()).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
    }

    [Fact]
    public async Task Disconnect_RemovesTheClientsSubscriptionsFromTheNode()
    {
        await using var node = await TestNode.StartAsync();
        var leaving = node.Connect("u_1");
        var staying = node.Connect("u_2");
        await leaving.SubscribeOkAsync("org:acme");
        await leaving.SubscribeOkAsync("user:u_1");
        await leaving.SubscribeOkAsync("task:acme/t_1");
        await staying.SubscribeOkAsync("org:acme");
        node.SubscriptionCount.ShouldBe(4);
        node.ChannelCount.ShouldBe(3);

        leaving.Disconnect(DisconnectCode.ForceDisconnect);

        node.SubscriptionCount.ShouldBe(1);
        node.ChannelCount.ShouldBe(1);
        node.SubscriberCount("org:acme").ShouldBe(1);
        node.SubscriberCount("user:u_1").ShouldBe(0);
        leaving.Channels.ShouldBeEmpty();
        await node.PublishOkAsync("org:acme", "after");
        leaving.Drain().ShouldBeEmpty();
        staying.Drain().Types().ShouldBe(["after"]);
    }

    [Fact]
    public async Task Unsubscribe_LastSubscriber_RemovesTheChannel()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");

        client.Unsubscribe("org:acme").ShouldBeNull();

        node.SubscriptionCount.ShouldBe(0);
        node.ChannelCount.ShouldBe(0);
        await node.PublishOkAsync("org:acme");
        client.Drain().ShouldBeEmpty();
    }

    [Fact]
    public async Task ChannelsSnapshot_ListsChannelsWithSubscriberCounts()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_2");
        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("user:u_2");

        node.ChannelsSnapshot().OrderBy(c => c.Key, StringComparer.Ordinal).ShouldBe(
        [
            new KeyValuePair<string, int>("org:acme", 2),
            new KeyValuePair<string, int>("user:u_2", 1),
        ]);
    }

    [Fact]
    public async Task DisconnectUser_DisconnectsEveryConnectionOfThatUserOnly()
    {
        await using var node = await TestNode.StartAsync();
        var a = node.Connect("u_1");
        var b = node.Connect("u_1");
        var other = node.Connect("u_2");

        node.DisconnectUser("u_1", DisconnectCode.ForceDisconnect).ShouldBe(2);

        a.DisconnectCode.ShouldBe(DisconnectCode.ForceDisconnect);
        b.DisconnectCode.ShouldBe(DisconnectCode.ForceDisconnect);
        other.DisconnectCode.ShouldBeNull();
        node.DisconnectUser("nobody", DisconnectCode.ForceDisconnect).ShouldBe(0);
    }

    [Fact]
    public async Task ShutdownAsync_DisconnectsEveryClientWithShutdown()
    {
        await using var node = await TestNode.StartAsync(time: TimeProvider.System);
        var a = node.Connect("u_1");
        var b = node.Open();
        var closer = Task.Run(async () =>
        {
            while (!(a.IsClosed && b.IsClosed))
            {
                if (a.DisconnectCode is not null)
                {
                    a.Close();
                }
                if (b.DisconnectCode is not null)
                {
                    b.Close();
                }
                await Task.Delay(5);
            }
        });

        await node.ShutdownAsync(TimeSpan.FromSeconds(10)).WaitAsync(TimeSpan.FromSeconds(20));
        await closer.WaitAsync(TestNode.Timeout);

        node.IsShuttingDown.ShouldBeTrue();
        a.DisconnectCode.ShouldBe(DisconnectCode.Shutdown);
        b.DisconnectCode.ShouldBe(DisconnectCode.Shutdown);
        node.Connections.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Subscribe_FirstAndLastSubscriber_SubscribeAndUnsubscribeTheBrokerOnce()
    {
        var broker = new RecordingBroker();
        await using var node = await TestNode.StartAsync(broker: broker);
        var a = node.Connect("u_1");
        var b = node.Connect("u_2");

        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");
        broker.IsSubscribed("org:acme").ShouldBeTrue();
        a.Unsubscribe("org:acme").ShouldBeNull();
        broker.IsSubscribed("org:acme").ShouldBeTrue();
        b.Disconnect(DisconnectCode.ForceDisconnect);

        broker.Calls.ShouldBe(["subscribe org:acme", "unsubscribe org:acme"]);
        broker.IsSubscribed("org:acme").ShouldBeFalse();
    }

    [Fact]
    public async Task Subscribe_AfterTheLastSubscriberLeft_SubscribesTheBrokerAgain()
    {
        var broker = new RecordingBroker();
        await using var node = await TestNode.StartAsync(broker: broker);
        var a = node.Connect("u_1");
        await a.SubscribeOkAsync("org:acme");
        a.Unsubscribe("org:acme").ShouldBeNull();

        await a.SubscribeOkAsync("org:acme");
        await node.PublishOkAsync("org:acme", "again");

        broker.IsSubscribed("org:acme").ShouldBeTrue();
        a.Drain().Types().ShouldBe(["again"]);
    }

    [Fact]
    public async Task Unsubscribe_RacingANewSubscriber_LeavesTheBrokerSubscribed()
    {
        var broker = new RecordingBroker();
        await using var node = await TestNode.StartAsync(broker: broker);
        var leaving = node.Connect("u_1");
        var arriving = node.Connect("u_2");
        await leaving.SubscribeOkAsync("org:acme");
        // The race: a new subscriber arrives while the leaving client's broker unsubscribe is under way.
        // The node orders the two per channel, so the subscribe completes after the unsubscribe and re-subscribes.
        var arrived = new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.BeforeUnsubscribe = channel => arrived.TrySetResult(arriving.SubscribeAsync(channel, null).AsTask());

        leaving.Unsubscribe("org:acme").ShouldBeNull();
        var subscribing = await arrived.Task.WaitAsync(TestNode.Timeout);
        await subscribing.WaitAsync(TestNode.Timeout);

        node.SubscriberCount("org:acme").ShouldBe(1);
        broker.IsSubscribed("org:acme").ShouldBeTrue(string.Join(", ", broker.Calls));
        await node.PublishOkAsync("org:acme", "after");
        arriving.Drain().Types().ShouldBe(["after"]);
    }

    [Fact]
    public async Task Subscribe_WhenTheBrokerFails_LeavesNoSubscriptionBehind()
    {
        var broker = new RecordingBroker();
        var fail = true;
        broker.OnSubscribe = _ =>
        {
            if (fail)
            {
                throw new InvalidOperationException("broker unavailable");
            }
        };
        await using var node = await TestNode.StartAsync(broker: broker);
        var first = node.Connect("u_1");
        var second = node.Connect("u_2");

        await Should.ThrowAsync<InvalidOperationException>(() => first.SubscribeAsync("org:acme", null).AsTask().WaitAsync(TestNode.Timeout));
        fail = false;

        first.Channels.ShouldBeEmpty();
        node.SubscriptionCount.ShouldBe(0);
        await second.SubscribeOkAsync("org:acme");
        broker.IsSubscribed("org:acme").ShouldBeTrue();
        await first.SubscribeOkAsync("org:acme");
    }

    [Fact]
    public async Task Subscribe_WithSince_WhilePublicationsArriveDuringTheRead_SeesEachExactlyOnce()
    {
        var broker = new RecordingBroker();
        await using var node = await TestNode.StartAsync(o => o.Namespaces["feed"] = new NamespaceOptions { HistorySize = 100 }, broker: broker);
        var existing = node.Connect("u_1");
        await existing.SubscribeOkAsync("feed:acme");
        var p1 = await node.PublishOkAsync("feed:acme", "one");
        await node.PublishOkAsync("feed:acme", "two");
        existing.Drain();
        // One publication lands before the history read (so it is in the answer, and also arrives
        // live while the subscriber recovers) and one after it (so only the live stream has it).
        broker.BeforeRead = async _ =>
        {
            broker.BeforeRead = null;
            await node.PublishOkAsync("feed:acme", "three");
        };
        broker.AfterRead = async _ =>
        {
            broker.AfterRead = null;
            await node.PublishOkAsync("feed:acme", "four");
        };
        var arriving = node.Connect("u_2");
        var frames = new List<string>();
        SubscribeResult? answer = null;

        var error = await arriving.SubscribeAsync("feed:acme", null, new StreamPosition(p1.Offset, p1.Epoch!), r =>
        {
            answer = r;
            // Nothing of the channel may be queued before the answer.
            arriving.Drain().ShouldBeEmpty();
        }).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldBeNull();
        answer.ShouldNotBeNull().Recovered.ShouldBe(true);
        answer.Publications.Select(p => p.Type).ShouldBe(["two", "three"]);
        answer.Position!.Value.Offset.ShouldBe(3);
        arriving.Drain().Types().ShouldBe(["four"]);
        existing.Drain().Types().ShouldBe(["three", "four"]);
        await node.PublishOkAsync("feed:acme", "five");
        arriving.Drain().Types().ShouldBe(["five"]);
    }

    [Fact]
    public async Task OnBrokerReconnected_DisconnectsSubscribersOfChannelsWithAStream_With3013()
    {
        var broker = new RecordingBroker();
        await using var node = await TestNode.StartAsync(o => o.Namespaces["plain"] = new NamespaceOptions { HistorySize = 0 }, broker: broker);
        var streamed = node.Connect("u_1");
        var plain = node.Connect("u_2");
        var idle = node.Connect("u_3");
        await streamed.SubscribeOkAsync("org:acme");
        await plain.SubscribeOkAsync("plain:acme");

        node.OnBrokerReconnected();

        streamed.DisconnectCode.ShouldBe(DisconnectCode.BrokerInterrupted);
        plain.DisconnectCode.ShouldBeNull();
        idle.DisconnectCode.ShouldBeNull();
        HeraldCodes.Reason(DisconnectCode.BrokerInterrupted).ShouldBe("subscriptions interrupted: reconnect and recover");
    }
}
