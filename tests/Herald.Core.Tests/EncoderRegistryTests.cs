using System.Text;
using Herald.Core.Internal;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;
using Herald.Core.Tests.Infrastructure;

namespace Herald.Core.Tests;

/// <summary>Two nodes in one process: each owns its encoder slots and its cached frames.</summary>
public sealed class EncoderRegistryTests
{
    /// <summary>An encoder whose frames say which encoder wrote them.</summary>
    private sealed class NamedEncoder(string name) : PublicationEncoder
    {
        public int Calls;

        public override byte[] Encode(Publication publication)
        {
            Interlocked.Increment(ref Calls);
            return Encoding.UTF8.GetBytes($"{{\"encoder\":\"{name}\",\"id\":\"{publication.Id}\"}}");
        }

        public override byte[] EncodeBatch(string channel, ReadOnlySpan<byte[]> frames) => [.. frames.ToArray().SelectMany(f => f)];
    }

    private static string EncoderOf(byte[] frame) => System.Text.Json.JsonDocument.Parse(frame).RootElement.GetProperty("encoder").GetString()!;

    [Fact]
    public void SlotOf_OnTwoRegistries_AssignsEachItsOwnSlots()
    {
        var first = new EncoderRegistry();
        var second = new EncoderRegistry();
        var a = new NamedEncoder("a");
        var b = new NamedEncoder("b");

        first.SlotOf(a).ShouldBe(0);
        first.SlotOf(b).ShouldBe(1);
        second.SlotOf(b).ShouldBe(0);
        second.SlotOf(a).ShouldBe(1);
        first.SlotOf(a).ShouldBe(0);
        second.SlotOf(b).ShouldBe(0);
        first.Count.ShouldBe(2);
        second.Count.ShouldBe(2);
    }

    [Fact]
    public async Task TwoNodes_WithTheirOwnEncoders_NumberSlotsIndependently()
    {
        await using var one = await TestNode.StartAsync();
        await using var two = await TestNode.StartAsync();
        var encoderOne = new NamedEncoder("one");
        var encoderTwo = new NamedEncoder("two");

        one.CreateClient("test", encoderOne, ReadOnlyMemory<byte>.Empty);
        two.CreateClient("test", encoderTwo, ReadOnlyMemory<byte>.Empty);

        one.Encoders.SlotOf(encoderOne).ShouldBe(two.Encoders.SlotOf(encoderTwo));
        one.Encoders.Count.ShouldBe(two.Encoders.Count);
        // Registering on one node leaves the other untouched.
        var extra = new NamedEncoder("extra");
        var before = two.Encoders.Count;
        one.Encoders.SlotOf(extra);
        two.Encoders.Count.ShouldBe(before);
    }

    [Fact]
    public async Task PublicationFannedOutOnOneNode_NeverUsesAFrameCachedByTheOther()
    {
        await using var one = await TestNode.StartAsync();
        await using var two = await TestNode.StartAsync();
        var encoderOne = new NamedEncoder("one");
        var encoderTwo = new NamedEncoder("two");
        // Each encoder takes the same slot number on its own node.
        var a = one.CreateClient("test", encoderOne, ReadOnlyMemory<byte>.Empty);
        var b = two.CreateClient("test", encoderTwo, ReadOnlyMemory<byte>.Empty);
        a.Authenticate(new Herald.Core.Auth.HeraldPrincipal("u_1", "acme", null)).ShouldBeNull();
        b.Authenticate(new Herald.Core.Auth.HeraldPrincipal("u_1", "acme", null)).ShouldBeNull();
        await a.SubscribeOkAsync("org:acme");
        await b.SubscribeOkAsync("org:acme");
        one.Encoders.SlotOf(encoderOne).ShouldBe(two.Encoders.SlotOf(encoderTwo));

        var onOne = await one.PublishOkAsync("org:acme", "first");
        var onTwo = await two.PublishOkAsync("org:acme", "second");

        var framesA = a.Drain();
        var framesB = b.Drain();
        framesA.Select(EncoderOf).ShouldBe(["one"]);
        framesB.Select(EncoderOf).ShouldBe(["two"]);
        TestNode.PublicationId(framesA[0]).ShouldBe(onOne.Id);
        TestNode.PublicationId(framesB[0]).ShouldBe(onTwo.Id);
        encoderOne.Calls.ShouldBe(1);
        encoderTwo.Calls.ShouldBe(1);
    }

    [Fact]
    public async Task UnsubscribeAll_EndsOnlyTheSubscriptionsOfThatScope()
    {
        await using var node = await TestNode.StartAsync();
        var client = node.Connect();
        var main = new DeliveryTarget(CountingEncoder.Instance, "/");
        var admin = new DeliveryTarget(CountingEncoder.Instance, "/admin");
        (await client.SubscribeAsync("org:acme", null, null, static _ => { }, target: main).AsTask().WaitAsync(TestNode.Timeout)).ShouldBeNull();
        (await client.SubscribeAsync("user:u_1", null, null, static _ => { }, target: admin).AsTask().WaitAsync(TestNode.Timeout)).ShouldBeNull();
        (await client.SubscribeAsync("build:acme/b1", null, null, static _ => { }, target: admin).AsTask().WaitAsync(TestNode.Timeout)).ShouldBeNull();

        client.UnsubscribeAll("/admin");

        client.Channels.ShouldBe(["org:acme"]);
        node.SubscriberCount("user:u_1").ShouldBe(0);
        node.SubscriberCount("build:acme/b1").ShouldBe(0);
        node.SubscriberCount("org:acme").ShouldBe(1);
        client.Drain();
        await node.PublishOkAsync("build:acme/b1", "gone");
        await node.PublishOkAsync("org:acme", "kept");
        client.Drain().Types().ShouldBe(["kept"]);
    }
}
