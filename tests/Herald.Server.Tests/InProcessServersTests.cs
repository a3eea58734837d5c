namespace Herald.Server.Tests;

/// <summary>Two servers in one process share no state: each delivers only its own publications, on every transport.</summary>
public sealed class InProcessServersTests
{
    [Fact]
    public async Task TwoServersInOneProcess_DeliverOnlyTheirOwnPublications_OverWebSocketAndSocketIO()
    {
        await using var one = await TestServer.StartAsync();
        await using var two = await TestServer.StartAsync();
        await using var wsOne = await one.ConnectUserAsync("u1", "acme");
        await using var wsTwo = await two.ConnectUserAsync("u1", "acme");
        await using var ioOne = await SocketIOTestClient.ConnectUserAsync(one, "u1", "acme");
        await using var ioTwo = await SocketIOTestClient.ConnectUserAsync(two, "u1", "acme");
        (await wsOne.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await wsTwo.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");
        (await ioOne.EmitWithAckAsync("subscribe", """{"channel":"org:acme"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();
        (await ioTwo.EmitWithAckAsync("subscribe", """{"channel":"org:acme"}""")).GetProperty("ok").GetBoolean().ShouldBeTrue();

        (await one.PublishAsync("org:acme", "from_one", new { n = 1 })).EnsureSuccessStatusCode();
        (await two.PublishAsync("org:acme", "from_two", new { n = 2 })).EnsureSuccessStatusCode();

        (await wsOne.ReceiveAsync()).Type().ShouldBe("from_one");
        (await wsTwo.ReceiveAsync()).Type().ShouldBe("from_two");
        (await ioOne.ReceiveAsync()).ShouldStartWith("42[\"from_one\"");
        (await ioTwo.ReceiveAsync()).ShouldStartWith("42[\"from_two\"");
        // Nothing crossed over: the next publication on each is again its own.
        (await one.PublishAsync("org:acme", "again_one", new { n = 3 })).EnsureSuccessStatusCode();
        (await wsOne.ReceiveAsync()).Type().ShouldBe("again_one");
        (await ioOne.ReceiveAsync()).ShouldStartWith("42[\"again_one\"");
    }
}
