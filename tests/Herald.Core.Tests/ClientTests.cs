using System.Text;
using Herald.Core.Auth;
using Herald.Core.Channels;
using Herald.Core.Requests;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Tests;

public sealed class ClientTests
{
    [Fact]
    public async Task Subscribe_BeforeAuthenticating_ReturnsUnauthorized()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Open();

        var error = await client.SubscribeAsync("org:acme", null).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.Unauthorized);
        node.SubscriptionCount.ShouldBe(0);
    }

    [Fact]
    public async Task Subscribe_OwnOrgChannel_Succeeds()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect("u_1", "acme");

        await client.SubscribeOkAsync("workspace:acme/ws_1");

        client.Channels.ShouldBe(["workspace:acme/ws_1"]);
        node.SubscriptionCount.ShouldBe(1);
        node.SubscriberCount("workspace:acme/ws_1").ShouldBe(1);
    }

    [Theory]
    [InlineData("org:globex")]
    [InlineData("org:acme2")]
    [InlineData("workspace:globex/ws_1")]
    [InlineData("user:u_2")]
    public async Task Subscribe_ChannelOfAnotherOrgOrUser_ReturnsPermissionDenied(string channel)
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect("u_1", "acme");

        var error = await client.SubscribeAsync(channel, null).AsTask().WaitAsync(TestNode.Timeout);

        var value = error.ShouldNotBeNull();
        value.Code.ShouldBe(HeraldErrorCode.PermissionDenied);
        ((int)value.Code).ShouldBe(103);
        client.Channels.ShouldBeEmpty();
        node.SubscriptionCount.ShouldBe(0);
    }

    [Theory]
    [InlineData("org:", HeraldErrorCode.InvalidChannel)]
    [InlineData("", HeraldErrorCode.InvalidChannel)]
    [InlineData("chat:acme", HeraldErrorCode.UnknownNamespace)]
    public async Task Subscribe_BadChannel_ReturnsChannelError(string channel, HeraldErrorCode code)
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();

        (await client.SubscribeAsync(channel, null).AsTask().WaitAsync(TestNode.Timeout)).ShouldNotBeNull().Code.ShouldBe(code);
    }

    [Fact]
    public async Task Subscribe_Twice_ReturnsAlreadySubscribed()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");

        var error = await client.SubscribeAsync("org:acme", null).AsTask().WaitAsync(TestNode.Timeout);

        var value = error.ShouldNotBeNull();
        value.Code.ShouldBe(HeraldErrorCode.AlreadySubscribed);
        ((int)value.Code).ShouldBe(105);
        node.SubscriptionCount.ShouldBe(1);
        await node.PublishOkAsync("org:acme");
        client.Drain().Count.ShouldBe(1);
    }

    [Fact]
    public async Task Subscribe_PastTheLimit_ReturnsLimitExceeded_UntilOneIsReleased()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxSubscriptionsPerConnection = 3);
        var client = node.Connect();
        await client.SubscribeOkAsync("workspace:acme/ws_1");
        await client.SubscribeOkAsync("workspace:acme/ws_2");
        await client.SubscribeOkAsync("workspace:acme/ws_3");

        var error = await client.SubscribeAsync("workspace:acme/ws_4", null).AsTask().WaitAsync(TestNode.Timeout);

        var value = error.ShouldNotBeNull();
        value.Code.ShouldBe(HeraldErrorCode.LimitExceeded);
        ((int)value.Code).ShouldBe(106);
        node.SubscriptionCount.ShouldBe(3);

        client.Unsubscribe("workspace:acme/ws_1").ShouldBeNull();
        await client.SubscribeOkAsync("workspace:acme/ws_4");
    }

    [Fact]
    public async Task Subscribe_LimitIsPerConnection()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxSubscriptionsPerConnection = 1);
        var a = node.Connect("u_1");
        var b = node.Connect("u_1");

        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");

        node.SubscriptionCount.ShouldBe(2);
    }

    [Fact]
    public async Task Subscribe_GrantScopedNamespace_FollowsTheTokensGrants()
    {
        await using var node = await TestNode.StartAsync(o => o.Namespaces["shared"] = new NamespaceOptions { Scope = ChannelScope.Grant });
        var client = node.Connect("u_1", "acme", ["shared:doc_1", "shared:team_1/*"]);

        await client.SubscribeOkAsync("shared:doc_1");
        await client.SubscribeOkAsync("shared:team_1/doc_9");
        (await client.SubscribeAsync("shared:doc_2", null).AsTask().WaitAsync(TestNode.Timeout)).ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.PermissionDenied);
    }

    [Fact]
    public async Task Unsubscribe_NotSubscribed_ReturnsNotSubscribed()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();

        client.Unsubscribe("org:acme").ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.NotSubscribed);
        client.Unsubscribe("org:").ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.InvalidChannel);
    }

    [Fact]
    public async Task Publish_IntoNamespaceWithoutClientPublish_ReturnsNotAvailable()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");

        var (publication, error) = await client.PublishAsync(new PublishRequest("org:acme", "chat", "{}"u8.ToArray())).AsTask().WaitAsync(TestNode.Timeout);

        publication.ShouldBeNull();
        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.NotAvailable);
        client.Drain().ShouldBeEmpty();
    }

    [Fact]
    public async Task Publish_IntoNamespaceWithClientPublish_ReachesSubscribers()
    {
        await using var node = await TestNode.StartAsync(o => o.Namespaces["chat"] = new NamespaceOptions { Scope = ChannelScope.Org, AllowPublish = true });
        var sender = node.Connect("u_1");
        var receiver = node.Connect("u_2");
        await receiver.SubscribeOkAsync("chat:acme/room_1");

        var (publication, error) = await sender.PublishAsync(new PublishRequest("chat:acme/room_1", "chat.message", Encoding.UTF8.GetBytes("{\"text\":\"hi\"}"))).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldBeNull();
        publication.ShouldNotBeNull();
        receiver.Drain().Types().ShouldBe(["chat.message"]);
    }

    [Fact]
    public async Task Publish_IntoAnotherOrgsChannel_ReturnsPermissionDenied()
    {
        await using var node = await TestNode.StartAsync(o => o.Namespaces["chat"] = new NamespaceOptions { Scope = ChannelScope.Org, AllowPublish = true });
        var sender = node.Connect("u_1", "acme");

        var (_, error) = await sender.PublishAsync(new PublishRequest("chat:globex", "chat.message", "{}"u8.ToArray())).AsTask().WaitAsync(TestNode.Timeout);

        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.PermissionDenied);
    }

    [Fact]
    public async Task Send_WhenOutboxIsFull_DisconnectsAsSlowConsumer_OthersKeepReceiving()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxSendQueueMessages = 3);
        var slow = node.Connect("u_1");
        var fast = node.Connect("u_2");
        await slow.SubscribeOkAsync("org:acme");
        await fast.SubscribeOkAsync("org:acme");
        var received = new List<byte[]>();

        for (var i = 0; i < 6; i++)
        {
            await node.PublishOkAsync("org:acme", $"e{i}");
            received.AddRange(fast.Drain());
        }

        slow.DisconnectCode.ShouldBe(DisconnectCode.SlowConsumer);
        ((int)slow.DisconnectCode!.Value).ShouldBe(3008);
        slow.Outbox.QueuedMessages.ShouldBe(0);
        slow.Outbox.QueuedBytes.ShouldBe(0);
        (await slow.Outbox.WaitToReadAsync().AsTask().WaitAsync(TestNode.Timeout)).ShouldBeFalse();
        slow.Channels.ShouldBeEmpty();
        node.SubscriberCount("org:acme").ShouldBe(1);
        node.Metrics.SlowConsumers.ShouldBe(1);
        node.Metrics.Dropped.ShouldBe(1);

        fast.DisconnectCode.ShouldBeNull();
        received.Types().ShouldBe(["e0", "e1", "e2", "e3", "e4", "e5"]);
    }

    [Fact]
    public async Task Send_WhenByteBoundIsExceeded_DisconnectsAsSlowConsumer()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxSendQueueBytes = 300);
        var slow = node.Connect();
        await slow.SubscribeOkAsync("org:acme");

        for (var i = 0; i < 10 && slow.DisconnectCode is null; i++)
        {
            await node.PublishOkAsync("org:acme", data: $"{{\"pad\":\"{new string('x', 100)}\"}}");
        }

        slow.DisconnectCode.ShouldBe(DisconnectCode.SlowConsumer);
    }

    [Fact]
    public async Task Send_AfterSlowConsumerDisconnect_IsRefusedWithoutChangingTheCode()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxSendQueueMessages = 1);
        var client = node.Connect();
        client.Send(new byte[] { 1 }).ShouldBeTrue();

        client.Send(new byte[] { 2 }).ShouldBeFalse();
        client.Send(new byte[] { 3 }).ShouldBeFalse();

        client.DisconnectCode.ShouldBe(DisconnectCode.SlowConsumer);
        node.Metrics.SlowConsumers.ShouldBe(1);
    }

    [Fact]
    public async Task Disconnect_FirstCodeWins()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();

        client.Disconnect(DisconnectCode.ForceDisconnect);
        client.Disconnect(DisconnectCode.Shutdown);

        client.DisconnectCode.ShouldBe(DisconnectCode.ForceDisconnect);
    }

    [Fact]
    public async Task Disconnect_KeepsPendingFramesForTheWriter()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");
        await node.PublishOkAsync("org:acme", "pending");

        client.Disconnect(DisconnectCode.Shutdown);

        client.Drain().Types().ShouldBe(["pending"]);
        (await client.Outbox.WaitToReadAsync().AsTask().WaitAsync(TestNode.Timeout)).ShouldBeFalse();
    }

    [Fact]
    public async Task Close_RemovesTheConnectionAndCompletesClosed()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        await client.SubscribeOkAsync("org:acme");
        node.Connections.Count.ShouldBe(1);

        client.Close();

        client.IsClosed.ShouldBeTrue();
        await client.Closed.WaitAsync(TestNode.Timeout);
        node.Connections.Count.ShouldBe(0);
        node.Connections.UserCount.ShouldBe(0);
        node.SubscriptionCount.ShouldBe(0);
        client.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task Authenticate_Twice_Throws()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();

        Should.Throw<InvalidOperationException>(() => client.Authenticate(new HeraldPrincipal("u_1", "acme")));
    }

    [Fact]
    public async Task OnMessageReceived_PastTheBurst_ReturnsFalseAndDisconnectsWithTooManyRequests()
    {
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Limits.MaxMessagesPerSecond = 1;
            o.Limits.MessageBurst = 3;
        });
        var client = node.Connect();

        client.OnMessageReceived().ShouldBeTrue();
        client.OnMessageReceived().ShouldBeTrue();
        client.OnMessageReceived().ShouldBeTrue();
        client.DisconnectCode.ShouldBeNull();

        client.OnMessageReceived().ShouldBeFalse();

        client.DisconnectCode.ShouldBe(DisconnectCode.TooManyRequests);
        ((int)client.DisconnectCode!.Value).ShouldBe(3011);
        node.Metrics.MessagesIn.ShouldBe(4);
    }

    [Fact]
    public async Task OnMessageReceived_TokensRefillWithTime()
    {
        var time = new FakeTimeProvider();
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Limits.MaxMessagesPerSecond = 2;
            o.Limits.MessageBurst = 2;
        }, time);
        var client = node.Connect();
        client.OnMessageReceived().ShouldBeTrue();
        client.OnMessageReceived().ShouldBeTrue();

        time.Advance(TimeSpan.FromSeconds(1));

        client.OnMessageReceived().ShouldBeTrue();
        client.OnMessageReceived().ShouldBeTrue();
        client.OnMessageReceived().ShouldBeFalse();
        client.DisconnectCode.ShouldBe(DisconnectCode.TooManyRequests);
    }

    [Fact]
    public async Task OnMessageReceived_LongIdle_DoesNotBankMoreThanTheBurst()
    {
        var time = new FakeTimeProvider();
        await using var node = await TestNode.StartAsync(o =>
        {
            o.Limits.MaxMessagesPerSecond = 10;
            o.Limits.MessageBurst = 3;
        }, time);
        var client = node.Connect();

        time.Advance(TimeSpan.FromHours(1));

        for (var i = 0; i < 3; i++)
        {
            client.OnMessageReceived().ShouldBeTrue();
        }
        client.OnMessageReceived().ShouldBeFalse();
    }

    private static readonly byte[] PingFrame = "{\"type\":\"ping\"}"u8.ToArray();
    private static readonly long Second = TimeSpan.TicksPerSecond;
    private static readonly long Minute = TimeSpan.TicksPerMinute;

    [Fact]
    public async Task Heartbeat_WithoutConnectWithinTheHandshakeTimeout_DisconnectsWithHandshakeTimeout()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Open();

        time.Advance(TimeSpan.FromSeconds(10));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.DisconnectCode.ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(1));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);

        client.DisconnectCode.ShouldBe(DisconnectCode.HandshakeTimeout);
        ((int)client.DisconnectCode!.Value).ShouldBe(3502);
    }

    [Fact]
    public async Task Heartbeat_WriteStalledPastTheWriteTimeout_DisconnectsAsSlowConsumerAndAbortsTheTransport()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Connect();
        var aborted = 0;
        client.OnWriteStalled(() => aborted++);

        client.OnWriteStarted();
        time.Advance(TimeSpan.FromSeconds(15));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.DisconnectCode.ShouldBeNull();
        aborted.ShouldBe(0);

        time.Advance(TimeSpan.FromSeconds(1));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);

        client.DisconnectCode.ShouldBe(DisconnectCode.SlowConsumer);
        aborted.ShouldBe(1);
    }

    [Fact]
    public async Task Heartbeat_FinishedWrites_NeverCountAgainstTheWriteTimeout()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Connect();
        var aborted = 0;
        client.OnWriteStalled(() => aborted++);

        client.OnWriteStarted();
        time.Advance(TimeSpan.FromSeconds(14));
        client.OnWriteFinished();
        time.Advance(TimeSpan.FromMinutes(5));
        client.OnMessageReceived().ShouldBeTrue();
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Minute, 10 * Second, 10 * Second, 15 * Second);

        client.DisconnectCode.ShouldBeNull();
        aborted.ShouldBe(0);
    }

    [Fact]
    public async Task Heartbeat_WriteStalledAfterADisconnect_StillAbortsTheTransport()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Connect();
        var aborted = 0;
        client.OnWriteStalled(() => aborted++);
        client.Disconnect(DisconnectCode.Shutdown);

        // The transport writes the disconnect frame and the close, and the peer never reads them.
        client.OnWriteStarted();
        time.Advance(TimeSpan.FromSeconds(16));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);

        aborted.ShouldBe(1);
        client.DisconnectCode.ShouldBe(DisconnectCode.Shutdown);
    }

    [Fact]
    public async Task ClosedAndDisconnected_AwaitedBeforeOrAfterTheFact_Complete()
    {
        await using var node = await TestNode.StartAsync();
        var early = node.Connect();
        var disconnectedEarly = early.Disconnected;
        var closedEarly = early.Closed;
        disconnectedEarly.IsCompleted.ShouldBeFalse();
        closedEarly.IsCompleted.ShouldBeFalse();
        early.Disconnect(DisconnectCode.Shutdown);
        early.Close();
        await disconnectedEarly.WaitAsync(TestNode.Timeout);
        await closedEarly.WaitAsync(TestNode.Timeout);

        var late = node.Connect();
        late.Disconnect(DisconnectCode.Shutdown);
        late.Close();
        await late.Disconnected.WaitAsync(TestNode.Timeout);
        await late.Closed.WaitAsync(TestNode.Timeout);

        var peerClosed = node.Connect();
        peerClosed.Close();
        await peerClosed.Closed.WaitAsync(TestNode.Timeout);
        peerClosed.Disconnected.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task Heartbeat_AuthenticatedClient_IsNotSubjectToTheHandshakeTimeout()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Connect();

        time.Advance(TimeSpan.FromMinutes(5));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);

        client.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task Heartbeat_AfterTheInterval_SendsThePingFrame_ThenNoPongDisconnects()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.CreateClient("test", CountingEncoder.Instance, PingFrame);
        client.Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(24));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.Drain().ShouldBeEmpty();

        time.Advance(TimeSpan.FromSeconds(1));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.Drain().ShouldHaveSingleItem().ShouldBeSameAs(PingFrame);

        time.Advance(TimeSpan.FromSeconds(10));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.DisconnectCode.ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(1));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.DisconnectCode.ShouldBe(DisconnectCode.NoPong);
        ((int)client.DisconnectCode!.Value).ShouldBe(3012);
    }

    [Fact]
    public async Task Heartbeat_ActivityAfterThePing_KeepsTheConnectionAndPingsAgain()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.CreateClient("test", CountingEncoder.Instance, PingFrame);
        client.Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBeNull();

        time.Advance(TimeSpan.FromSeconds(25));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.Drain().Count.ShouldBe(1);
        time.Advance(TimeSpan.FromSeconds(1));
        client.OnActivity();

        time.Advance(TimeSpan.FromSeconds(20));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.DisconnectCode.ShouldBeNull();
        client.Drain().ShouldBeEmpty();

        time.Advance(TimeSpan.FromSeconds(5));
        client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        client.Drain().Count.ShouldBe(1);
        client.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task Heartbeat_WithoutPingFrame_NeverPingsNorTimesOut()
    {
        var time = new FakeTimeProvider();
        await using var node = TestNode.CreateIdle(time);
        var client = node.Connect();

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(30));
            client.Heartbeat(time.GetTimestamp(), time.GetUtcNow(), 25 * Second, 10 * Second, 10 * Second, 15 * Second);
        }

        client.Drain().ShouldBeEmpty();
        client.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task HeartbeatLoop_DisconnectsAConnectionThatNeverAuthenticates()
    {
        var time = new FakeTimeProvider();
        await using var node = await TestNode.StartAsync(o => o.Limits.HandshakeTimeoutSeconds = 1, time);
        var silent = node.Open();
        var authenticated = node.Connect();

        time.Advance(TimeSpan.FromSeconds(2));

        // The loop's timer runs on the fake clock: the advance fired it; its tick may finish on another thread.
        var deadline = DateTime.UtcNow + TestNode.Timeout;
        while (silent.DisconnectCode is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        silent.DisconnectCode.ShouldBe(DisconnectCode.HandshakeTimeout);
        authenticated.DisconnectCode.ShouldBeNull();
    }

    [Fact]
    public async Task Authenticate_AfterClose_DoesNotUseAConnectionSlot()
    {
        await using var node = await TestNode.StartAsync(o => o.Limits.MaxConnectionsPerUser = 1);
        var closed = node.Open();
        closed.Close();

        closed.Authenticate(new HeraldPrincipal("u_1", "acme"));

        node.Connections.ForUser("u_1").ShouldBeEmpty();
        node.Connections.UserCount.ShouldBe(0);
        node.Open().Authenticate(new HeraldPrincipal("u_1", "acme")).ShouldBeNull();
    }
}
