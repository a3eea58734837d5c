using Herald.Messages;

namespace Herald.Client.Tests;

/// <summary>HeraldClient against the real server: connect, live and recovered publications, refresh, terminal disconnects.</summary>
public sealed class HeraldClientTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private static HeraldClient Client(TestServer server, Action<HeraldClientOptions>? configure = null)
    {
        var options = new HeraldClientOptions { Url = server.BaseUri, ApiKey = TestServer.AdminKey, MinReconnectDelay = TimeSpan.FromMilliseconds(100), MaxReconnectDelay = TimeSpan.FromMilliseconds(400) };
        configure?.Invoke(options);
        return new HeraldClient(options);
    }

    private static async Task<Publication> NextAsync(HeraldSubscription subscription)
    {
        await using var e = subscription.ReadAllAsync().GetAsyncEnumerator();
        (await e.MoveNextAsync().AsTask().WaitAsync(Timeout)).ShouldBeTrue();
        return e.Current;
    }

    [Fact]
    public async Task Subscribe_DeliversLivePublications_WithFiltersAndSince()
    {
        await using var server = await TestServer.StartAsync();
        (await server.PublishAsync("build:acme/c", "s", new { n = 1 }, tags: new { status = "ok" })).EnsureSuccessStatusCode();
        await using var client = Client(server);
        var states = new List<HeraldClientState>();
        client.StateChanged += change => states.Add(change.State);

        await client.ConnectAsync().WaitAsync(Timeout);
        var replay = await client.SubscribeAsync("build:acme/c", since: 0).WaitAsync(Timeout);
        var filtered = await client.SubscribeAsync("org:acme", new Dictionary<string, IReadOnlyList<string>> { ["status"] = ["failed"] }).WaitAsync(Timeout);
        (await server.PublishAsync("org:acme", "x", new { n = 2 }, tags: new { status = "ok" })).EnsureSuccessStatusCode();
        (await server.PublishAsync("org:acme", "y", new { n = 3 }, tags: new { status = "failed" })).EnsureSuccessStatusCode();

        (await NextAsync(replay)).Offset.ShouldBe(1);
        replay.Recovered.ShouldBe(true);
        (await NextAsync(filtered)).Type.ShouldBe("y");
        states.ShouldContain(HeraldClientState.Connected);
    }

    [Fact]
    public async Task ShortLivedTokens_AreRefreshedInBand_AndTheConnectionStays()
    {
        await using var server = await TestServer.StartAsync();
        var issued = 0;
        await using var client = Client(server, o =>
        {
            o.ApiKey = null;
            o.TokenProvider = _ => { Interlocked.Increment(ref issued); return ValueTask.FromResult(TestTokens.Hs256("u_1", "acme", TimeSpan.FromSeconds(2))); };
        });
        var reasons = new List<string>();
        client.StateChanged += change => reasons.Add(change.Reason);

        await client.ConnectAsync().WaitAsync(Timeout);
        var subscription = await client.SubscribeAsync("org:acme").WaitAsync(Timeout);
        await TestServer.EventuallyAsync(() => Task.FromResult(Volatile.Read(ref issued) >= 3), "two refreshes");
        (await server.PublishAsync("org:acme", "after.refresh", new { n = 1 })).EnsureSuccessStatusCode();

        (await NextAsync(subscription)).Type.ShouldBe("after.refresh");
        reasons.ShouldNotContain("reconnected");
    }

    [Fact]
    public async Task ForcedDisconnect_IsTerminal_TheClientStops()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = Client(server, o =>
        {
            o.ApiKey = null;
            o.Token = TestTokens.Hs256("u_9", "acme");
        });
        var closed = new TaskCompletionSource<HeraldStateChange>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += change =>
        {
            if (change.State == HeraldClientState.Closed)
            {
                closed.TrySetResult(change);
            }
        };
        await client.ConnectAsync().WaitAsync(Timeout);

        (await new HeraldApi(new HttpClient(), new HeraldApiOptions { BaseAddress = server.BaseUri, ApiKey = TestServer.AdminKey }).DisconnectUserAsync("u_9").WaitAsync(Timeout)).Disconnected.ShouldBe(1);

        (await closed.Task.WaitAsync(Timeout)).Code.ShouldBe(3504);
        client.State.ShouldBe(HeraldClientState.Closed);
    }

    [Fact]
    public async Task RefusedCredentials_FailConnect_WithTheCode()
    {
        await using var server = await TestServer.StartAsync();
        await using var client = Client(server, o => o.ApiKey = "not-a-key-0123456789");

        var error = await Should.ThrowAsync<HeraldClientException>(() => client.ConnectAsync().WaitAsync(Timeout));

        error.Code.ShouldBeOneOf(101, 3500);
        client.State.ShouldBe(HeraldClientState.Closed);
    }

    [Fact]
    public async Task ServerRestart_OnTheSameSqliteFile_Reconnects_AndRecoversWhatWasMissed()
    {
        var settings = new Dictionary<string, string?>
        {
            ["urls"] = $"http://127.0.0.1:{FreePort()}",
            ["Herald:Storage:Provider"] = "Sqlite",
            ["Herald:Storage:SqlitePath"] = Path.Combine(Directory.CreateTempSubdirectory("herald-client-").FullName, "herald.db"),
        };
        var first = await TestServer.StartAsync(settings);
        await using var client = Client(first);
        var recovered = new TaskCompletionSource<HeraldSubscriptionEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Subscribed += e =>
        {
            if (e.Resubscribed)
            {
                recovered.TrySetResult(e);
            }
        };
        var subscription = await client.SubscribeAsync("org:acme").WaitAsync(Timeout);
        (await first.PublishAsync("org:acme", "before", new { n = 1 })).EnsureSuccessStatusCode();
        (await NextAsync(subscription)).Type.ShouldBe("before");

        await first.DisposeAsync();
        await using var second = await TestServer.StartAsync(settings);
        (await second.PublishAsync("org:acme", "while.away", new { n = 2 })).EnsureSuccessStatusCode();

        var resubscribed = await recovered.Task.WaitAsync(Timeout);
        var next = await NextAsync(subscription);
        resubscribed.Recoverable.ShouldBeTrue();
        next.Type.ShouldBe("while.away");
        next.Offset.ShouldBe(2);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
