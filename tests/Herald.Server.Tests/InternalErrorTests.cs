using Herald.Core;
using Herald.Core.Brokers;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;

namespace Herald.Server.Tests;

/// <summary>A request that fails inside the server is answered with 100 on every transport, and the connection goes on.</summary>
public sealed class InternalErrorTests
{
    private const string Broken = "build:acme/broken";
    private const string Fine = "build:acme/fine";

    /// <summary>The memory broker, except that every read of a channel named "…broken" throws.</summary>
    private sealed class FailingBroker(IBroker inner) : IBroker
    {
        private static void ThrowIfBroken(string channel)
        {
            if (channel.EndsWith("broken", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("the store is down");
            }
        }

        public Task StartAsync(IBrokerHandler handler, CancellationToken cancellationToken) => inner.StartAsync(handler, cancellationToken);

        public ValueTask<Publication> PublishAsync(Publication publication, HistoryOptions? stream, CancellationToken cancellationToken) =>
            inner.PublishAsync(publication, stream, cancellationToken);

        public ValueTask SubscribeAsync(string channel, CancellationToken cancellationToken) => inner.SubscribeAsync(channel, cancellationToken);

        public ValueTask UnsubscribeAsync(string channel, CancellationToken cancellationToken) => inner.UnsubscribeAsync(channel, cancellationToken);

        public ValueTask<StreamPosition> GetPositionAsync(string channel, CancellationToken cancellationToken)
        {
            ThrowIfBroken(channel);
            return inner.GetPositionAsync(channel, cancellationToken);
        }

        public ValueTask<HistoryPage> ReadHistoryAsync(string channel, HistoryQuery query, CancellationToken cancellationToken)
        {
            ThrowIfBroken(channel);
            return inner.ReadHistoryAsync(channel, query, cancellationToken);
        }

        public ValueTask<IReadOnlyList<Publication>> ReadStateAsync(string channel, CancellationToken cancellationToken)
        {
            ThrowIfBroken(channel);
            return inner.ReadStateAsync(channel, cancellationToken);
        }

        public ValueTask<bool> IsHealthyAsync(CancellationToken cancellationToken) => inner.IsHealthyAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(services: services =>
        services.AddSingleton<IBroker>(sp => new FailingBroker(new MemoryBroker(sp.GetRequiredService<IHistoryStore>()))));

    [Fact]
    public async Task RequestHistory_WhenTheBrokerThrows_Answers100WithItsId_AndTheConnectionKeepsWorking()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectUserAsync("u1", "acme");

        var answer = await client.RequestAsync("request_history", Broken);

        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(100);
        answer.Str("message").ShouldBe("internal server error");
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");
        (await client.RequestAsync("request_history", Fine)).Type().ShouldBe("history");
    }

    [Fact]
    public async Task Subscribe_WhenTheBrokerThrows_Answers100_AndLeavesNoSubscriptionBehind()
    {
        await using var server = await StartAsync();
        await using var client = await server.ConnectUserAsync("u1", "acme");

        var answer = await client.SubscribeAsync(Broken);

        answer.Type().ShouldBe("error");
        answer.Code().ShouldBe(100);
        answer.Str("message").ShouldBe("internal server error");
        (await client.RequestAsync("unsubscribe", Broken)).Code().ShouldBe(113);
        (await client.SubscribeAsync(Fine)).Type().ShouldBe("subscribed");
        (await server.PublishAsync(Broken, "lost", new { n = 0 })).EnsureSuccessStatusCode();
        (await server.PublishAsync(Fine, "tick", new { n = 1 })).EnsureSuccessStatusCode();
        (await client.ReceiveAsync()).Type().ShouldBe("tick");
    }

    [Fact]
    public async Task SocketIO_HistoryWhenTheBrokerThrows_AcksOkFalseWith100_AndTheSessionKeepsWorking()
    {
        await using var server = await StartAsync();
        await using var client = await SocketIOTestClient.ConnectUserAsync(server, "u1", "acme");

        var ack = await client.EmitWithAckAsync("history", JsonSerializer.Serialize(new { channel = Broken }));

        ack.GetProperty("ok").GetBoolean().ShouldBeFalse();
        ack.GetProperty("error").Code().ShouldBe(100);
        ack.GetProperty("error").Str("message").ShouldBe("internal server error");
        (await client.EmitWithAckAsync("subscribe", JsonSerializer.Serialize(new { channel = Broken }))).GetProperty("error").Code().ShouldBe(100);
        (await client.EmitWithAckAsync("request_history", JsonSerializer.Serialize(new { channel = Fine }))).GetProperty("ok").GetBoolean().ShouldBeTrue();
        (await client.EmitWithAckAsync("subscribe", JsonSerializer.Serialize(new { channel = Fine }))).GetProperty("ok").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task SocketIO_HistoryWithoutAckWhenTheBrokerThrows_EmitsAnErrorEventWith100()
    {
        await using var server = await StartAsync();
        await using var client = await SocketIOTestClient.ConnectUserAsync(server, "u1", "acme");

        await client.SendAsync($"42[\"history\",{JsonSerializer.Serialize(new { channel = Broken })}]");

        var packet = await client.ReceiveAsync();
        packet.ShouldStartWith("42[\"error\",");
        var error = JsonDocument.Parse(packet[2..]).RootElement[1];
        error.GetProperty("ok").GetBoolean().ShouldBeFalse();
        error.GetProperty("error").Code().ShouldBe(100);
        error.Str("event").ShouldBe("history");
        (await client.EmitWithAckAsync("history", JsonSerializer.Serialize(new { channel = Fine }))).GetProperty("ok").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Sse_SubscribeWhenTheBrokerThrows_IsAn100ErrorEvent_AndTheStreamGoesOn()
    {
        await using var server = await StartAsync();
        var (status, stream, _) = await SseClient.ConnectAsync(server.BaseUri,
            $"channel={Uri.EscapeDataString(Broken)}&channel={Uri.EscapeDataString(Fine)}", bearer: TestTokens.Hs256("u1", "acme"));
        status.ShouldBe(System.Net.HttpStatusCode.OK);
        await using var sse = stream!;

        var error = await sse.ReceiveAsync();
        error.Event.ShouldBe("error");
        error.Json.Code().ShouldBe(100);
        error.Json.Str("message").ShouldBe("internal server error");
        var subscribed = await sse.ReceiveAsync();
        subscribed.Event.ShouldBe("subscribed");
        subscribed.Json.Str("channel").ShouldBe(Fine);
        (await server.PublishAsync(Fine, "tick", new { n = 1 })).EnsureSuccessStatusCode();
        (await sse.ReceiveAsync()).Event.ShouldBe("tick");
    }
}
