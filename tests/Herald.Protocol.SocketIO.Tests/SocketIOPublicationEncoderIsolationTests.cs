using System.Text;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Internal;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Socket.IO encoders belong to the transport that made them: two nodes in one process never share one or its frames.</summary>
public sealed class SocketIOPublicationEncoderIsolationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static async Task<Node> StartAsync()
    {
        var node = new Node(new HeraldOptions { NodeName = "unit" }, new MemoryBroker());
        await node.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        return node;
    }

    private static async Task<Client> SubscribedClientAsync(Node node, SocketIOPublicationEncoder encoder)
    {
        var client = node.CreateClient("socketio", encoder, ReadOnlyMemory<byte>.Empty);
        client.Authenticate(new HeraldPrincipal("u_1", "acme", null)).ShouldBeNull();
        (await client.SubscribeAsync("org:acme").AsTask().WaitAsync(Timeout)).ShouldBeNull();
        return client;
    }

    private static async Task<Publication> PublishAsync(Node node, string type)
    {
        var (publication, error) = await node.PublishAsync(new PublishRequest("org:acme", type, Encoding.UTF8.GetBytes("{}"), null, null)).AsTask().WaitAsync(Timeout);
        error.ShouldBeNull();
        return publication!;
    }

    private static string Single(Client client)
    {
        client.Outbox.TryDequeue(out var frame).ShouldBeTrue();
        client.Outbox.TryDequeue(out _).ShouldBeFalse();
        return Encoding.UTF8.GetString(frame.Bytes.Span);
    }

    [Fact]
    public void TwoEncodersOfOneNamespace_AreSeparateEncoders_WithSeparateSlots()
    {
        var first = new SocketIOPublicationEncoder("/");
        var second = new SocketIOPublicationEncoder("/");
        var registry = new EncoderRegistry();

        ReferenceEquals(first, second).ShouldBeFalse();
        registry.SlotOf(first).ShouldBe(0);
        registry.SlotOf(second).ShouldBe(1);
    }

    [Fact]
    public async Task TwoNodes_EachWithItsOwnSocketIOEncoder_DeliverOnlyTheirOwnFrames()
    {
        await using var one = await StartAsync();
        await using var two = await StartAsync();
        var onOne = await SubscribedClientAsync(one, new SocketIOPublicationEncoder("/"));
        var onTwo = await SubscribedClientAsync(two, new SocketIOPublicationEncoder("/"));

        var first = await PublishAsync(one, "first");
        var second = await PublishAsync(two, "second");

        var frameOne = Single(onOne);
        var frameTwo = Single(onTwo);
        frameOne.ShouldStartWith("42[\"first\"");
        frameOne.ShouldContain(first.Id);
        frameTwo.ShouldStartWith("42[\"second\"");
        frameTwo.ShouldContain(second.Id);
    }
}
