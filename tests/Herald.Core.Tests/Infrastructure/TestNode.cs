using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Tests.Infrastructure;

/// <summary>Builds an in-process node on a <see cref="MemoryBroker"/> and connects fake clients to it.</summary>
internal static class TestNode
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<Node> StartAsync(Action<HeraldOptions>? configure = null, TimeProvider? time = null, IBroker? broker = null)
    {
        var options = new HeraldOptions { NodeName = "unit" };
        configure?.Invoke(options);
        var node = new Node(options, broker ?? new MemoryBroker(), time: time ?? new FakeTimeProvider());
        await node.StartAsync(CancellationToken.None).WaitAsync(Timeout);
        return node;
    }

    /// <summary>
    /// A node that is not started, so its heartbeat loop never runs: for tests that call
    /// <see cref="Client.Heartbeat"/> themselves. On a <see cref="FakeTimeProvider"/>, advancing the
    /// clock fires the loop's timer too, and the loop would check the clients alongside the test.
    /// </summary>
    public static Node CreateIdle(FakeTimeProvider time) =>
        new(new HeraldOptions { NodeName = "unit" }, new MemoryBroker(), time: time);

    /// <summary>A new connection, not authenticated, whose transport runs its own heartbeat (no ping frame).</summary>
    public static Client Open(this Node node) => node.CreateClient("test", CountingEncoder.Instance, ReadOnlyMemory<byte>.Empty);

    /// <summary>A new connection authenticated as the user.</summary>
    public static Client Connect(this Node node, string user = "u_1", string org = "acme", IReadOnlyList<string>? channels = null)
    {
        var client = node.Open();
        client.Authenticate(new HeraldPrincipal(user, org, channels)).ShouldBeNull();
        return client;
    }

    public static async Task SubscribeOkAsync(this Client client, string channel, Herald.Core.Channels.TagFilter? filter = null)
    {
        var error = await client.SubscribeAsync(channel, filter).AsTask().WaitAsync(Timeout);
        error.ShouldBeNull();
    }

    public static async Task<Publication> PublishOkAsync(this Node node, string channel, string type = "test.event", string data = "{}", IReadOnlyDictionary<string, string>? tags = null, string? key = null)
    {
        var (publication, error) = await node.PublishAsync(new PublishRequest(channel, type, Encoding.UTF8.GetBytes(data), tags, key)).AsTask().WaitAsync(Timeout);
        error.ShouldBeNull();
        return publication.ShouldNotBeNull();
    }

    /// <summary>Takes every queued frame, as the arrays that were queued.</summary>
    public static List<byte[]> Drain(this Client client)
    {
        var frames = new List<byte[]>();
        while (client.Outbox.TryDequeue(out var frame))
        {
            MemoryMarshal.TryGetArray(frame.Bytes, out var segment).ShouldBeTrue();
            segment.Offset.ShouldBe(0);
            segment.Count.ShouldBe(segment.Array!.Length);
            frames.Add(segment.Array);
        }
        return frames;
    }

    /// <summary>The <c>type</c> of each frame written by <see cref="CountingEncoder"/>.</summary>
    public static List<string> Types(this IEnumerable<byte[]> frames) =>
        frames.Select(f => JsonDocument.Parse(f).RootElement.GetProperty("type").GetString()!).ToList();

    public static string PublicationId(byte[] frame) => JsonDocument.Parse(frame).RootElement.GetProperty("id").GetString()!;

    public static JsonElement Data(byte[] frame) => JsonDocument.Parse(frame).RootElement.GetProperty("data").Clone();
}
