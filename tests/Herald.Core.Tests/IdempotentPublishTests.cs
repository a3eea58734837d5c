using System.Text;
using Herald.Core.Channels;
using Herald.Core.Tests.Infrastructure;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Tests;

/// <summary>Publishes with an idempotency key: a resend within the window answers the first publication.</summary>
public sealed class IdempotentPublishTests
{
    private static PublishRequest Request(string key, string channel = "feed:acme", string data = "{\"n\":1}") =>
        new(channel, "test.event", Encoding.UTF8.GetBytes(data), IdempotencyKey: key);

    private static async Task<(Node Node, RecordingBroker Broker, FakeTimeProvider Time)> StartAsync(Action<HeraldOptions>? configure = null)
    {
        var broker = new RecordingBroker();
        var time = new FakeTimeProvider();
        var node = await TestNode.StartAsync(o =>
        {
            o.Namespaces["feed"] = new NamespaceOptions { HistorySize = 100 };
            configure?.Invoke(o);
        }, time, broker);
        return (node, broker, time);
    }

    private static async Task<Publication> PublishAsync(Node node, PublishRequest request)
    {
        var (publication, error) = await node.PublishAsync(request).AsTask().WaitAsync(TestNode.Timeout);
        error.ShouldBeNull();
        return publication.ShouldNotBeNull();
    }

    [Fact]
    public async Task Resend_WithTheSameKey_AnswersTheFirstPublication_AndPublishesOnce()
    {
        var (node, broker, _) = await StartAsync();
        await using var _n = node;
        var first = await PublishAsync(node, Request("k1"));
        var again = await PublishAsync(node, Request("k1", data: "{\"n\":2}"));

        again.Id.ShouldBe(first.Id);
        again.Offset.ShouldBe(first.Offset);
        broker.Publishes.ShouldBe(1);
        var (page, _) = await node.ReadHistoryAsync("feed:acme", null, null, 100).AsTask().WaitAsync(TestNode.Timeout);
        page.ShouldNotBeNull().Publications.Count.ShouldBe(1);
    }

    [Fact]
    public async Task SameKey_InAnotherChannel_OrAnotherKey_Publishes()
    {
        var (node, broker, _) = await StartAsync();
        await using var _n = node;
        var a = await PublishAsync(node, Request("k1"));
        var b = await PublishAsync(node, Request("k1", channel: "feed:other"));
        var c = await PublishAsync(node, Request("k2"));

        new[] { a.Id, b.Id, c.Id }.Distinct().Count().ShouldBe(3);
        broker.Publishes.ShouldBe(3);
    }

    [Fact]
    public async Task Key_IsForgottenAfterTheWindow()
    {
        var (node, broker, time) = await StartAsync(o => o.Limits.IdempotencyWindowSeconds = 60);
        await using var _n = node;
        var first = await PublishAsync(node, Request("k1"));
        time.Advance(TimeSpan.FromSeconds(59));
        (await PublishAsync(node, Request("k1"))).Id.ShouldBe(first.Id);
        time.Advance(TimeSpan.FromSeconds(2));
        (await PublishAsync(node, Request("k1"))).Id.ShouldNotBe(first.Id);
        broker.Publishes.ShouldBe(2);
    }

    [Fact]
    public async Task BeyondMaxKeys_TheOldestKeyIsForgotten()
    {
        var (node, broker, _) = await StartAsync(o => o.Limits.MaxIdempotencyKeys = 2);
        await using var _n = node;
        var k1 = await PublishAsync(node, Request("k1"));
        var k2 = await PublishAsync(node, Request("k2"));
        await PublishAsync(node, Request("k3"));

        (await PublishAsync(node, Request("k3"))).Offset.ShouldBe(3);
        (await PublishAsync(node, Request("k1"))).Id.ShouldNotBe(k1.Id);
        broker.Publishes.ShouldBe(4);
        k2.ShouldNotBeNull();
    }

    [Fact]
    public async Task Resend_WhileTheFirstIsBeingStored_WaitsForIt()
    {
        var (node, broker, _) = await StartAsync();
        await using var _n = node;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broker.BeforePublish = async _ =>
        {
            held.TrySetResult();
            await release.Task;
        };
        var first = node.PublishAsync(Request("k1")).AsTask();
        await held.Task.WaitAsync(TestNode.Timeout);
        var resend = node.PublishAsync(Request("k1")).AsTask();
        await Task.Delay(50);
        resend.IsCompleted.ShouldBeFalse();

        release.SetResult();
        var (a, _) = await first.WaitAsync(TestNode.Timeout);
        var (b, _) = await resend.WaitAsync(TestNode.Timeout);
        b.ShouldNotBeNull().Id.ShouldBe(a.ShouldNotBeNull().Id);
        broker.Publishes.ShouldBe(1);
    }

    [Fact]
    public async Task Publish_ThatFailed_IsForgotten_SoItsResendPublishes()
    {
        var (node, broker, _) = await StartAsync();
        await using var _n = node;
        broker.BeforePublish = _ => throw new InvalidOperationException("store down");
        await Should.ThrowAsync<InvalidOperationException>(() => node.PublishAsync(Request("k1")).AsTask().WaitAsync(TestNode.Timeout));

        broker.BeforePublish = null;
        var published = await PublishAsync(node, Request("k1"));
        published.Offset.ShouldBe(1);
        broker.Publishes.ShouldBe(2);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task IdempotencyKey_Empty_OrTooLong_IsRefused(string? key)
    {
        var (node, _, _) = await StartAsync();
        await using var _n = node;
        var (_, error) = await node.PublishAsync(Request(key ?? new string('k', Node.MaxIdempotencyKeyLength + 1)));
        error.ShouldNotBeNull().Code.ShouldBe(HeraldErrorCode.BadRequest);
        error.Value.Message.ShouldContain("'idempotencyKey'");
    }

    [Fact]
    public async Task Broadcast_WithAKey_IsIdempotentPerChannel()
    {
        var (node, broker, _) = await StartAsync();
        await using var _n = node;
        var template = Request("b1") with { Channel = null };
        var (first, _) = await node.BroadcastAsync(["feed:a", "feed:b"], template).AsTask().WaitAsync(TestNode.Timeout);
        var (again, _) = await node.BroadcastAsync(["feed:a", "feed:b"], template).AsTask().WaitAsync(TestNode.Timeout);
        again.ShouldNotBeNull().Select(p => p.Id).ShouldBe(first.ShouldNotBeNull().Select(p => p.Id));
        broker.Publishes.ShouldBe(2);
    }
}
