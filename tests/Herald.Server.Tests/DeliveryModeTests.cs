namespace Herald.Server.Tests;

/// <summary>
/// Batched and conflated delivery. Delays are set far beyond any test's length, so
/// that what is sent when depends only on counts and explicit flushes, never on machine speed.
/// </summary>
public sealed class DeliveryModeTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Namespaces:logs:BatchMaxDelayMs"] = "60000",
        ["Herald:Namespaces:metrics:ConflationIntervalMs"] = "60000",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Logs_AreDeliveredInBatchesOfAtMostTen_InOrder()
    {
        await using var viewer = await _server.ConnectUserAsync("u_1", "acme");
        await viewer.SubscribeAsync("logs:acme/build_7");
        for (var i = 0; i < 25; i++)
        {
            (await _server.PublishAsync("logs:acme/build_7", "log_entry", new { line = i })).EnsureSuccessStatusCode();
        }
        var lines = new List<int>();
        for (var b = 0; b < 2; b++)
        {
            var batch = await viewer.ReceiveAsync();
            batch.Type().ShouldBe("batch");
            batch.Str("channel").ShouldBe("logs:acme/build_7");
            var publications = batch.GetProperty("publications").EnumerateArray().ToList();
            publications.Count.ShouldBe(10);
            publications.ShouldAllBe(p => p.Type() == "log_entry");
            lines.AddRange(publications.Select(p => p.GetProperty("data").GetProperty("line").GetInt32()));
        }
        // The last five wait for their delay; a late viewer's subscribe delivers them first (and recovers them itself).
        await using var late = await _server.ConnectUserAsync("u_2", "acme");
        var answer = await late.RequestAsync("subscribe", "logs:acme/build_7", new { since = new { offset = 0, epoch = "x" } });
        answer.Type().ShouldBe("subscribed");
        var rest = await viewer.ReceiveAsync();
        lines.AddRange(rest.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data").GetProperty("line").GetInt32()));
        lines.ShouldBe(Enumerable.Range(0, 25));
    }

    [Fact]
    public async Task LateLogViewer_GetsTheTailFromHistory()
    {
        for (var i = 0; i < 30; i++)
        {
            (await _server.PublishAsync("logs:acme/build_8", "log_entry", new { line = i })).EnsureSuccessStatusCode();
        }
        await using var late = await _server.ConnectUserAsync("u_1", "acme");
        var history = await late.RequestAsync("request_history", "logs:acme/build_8", new { limit = 5 });
        history.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data").GetProperty("line").GetInt32()).ShouldBe([25, 26, 27, 28, 29]);
    }

    [Fact]
    public async Task Metrics_AreConflatedPerKey_NewestWins()
    {
        await using var chart = await _server.ConnectUserAsync("u_1", "acme");
        await chart.SubscribeAsync("metrics:acme/svc_a");
        for (var i = 1; i <= 20; i++)
        {
            (await _server.PublishAsync("metrics:acme/svc_a", "metric_update", new { value = i }, key: "cpu")).EnsureSuccessStatusCode();
            (await _server.PublishAsync("metrics:acme/svc_a", "metric_update", new { value = i * 10 }, key: "memory")).EnsureSuccessStatusCode();
        }
        // The first update opens the window and goes at once.
        var first = await chart.ReceiveAsync();
        (first.Str("key"), first.GetProperty("data").GetProperty("value").GetInt32()).ShouldBe(("cpu", 1));

        // The window closes when it expires, or (as here) when a new subscriber makes the node flush.
        await using var other = await _server.ConnectUserAsync("u_2", "acme");
        await other.SubscribeAsync("metrics:acme/svc_a");
        var cpu = await chart.ReceiveAsync();
        var memory = await chart.ReceiveAsync();
        (cpu.Str("key"), cpu.GetProperty("data").GetProperty("value").GetInt32()).ShouldBe(("cpu", 20));
        (memory.Str("key"), memory.GetProperty("data").GetProperty("value").GetInt32()).ShouldBe(("memory", 200));
        cpu.GetProperty("offset").GetInt64().ShouldBeLessThan(memory.GetProperty("offset").GetInt64());
        // Everything in between was dropped for the live stream, but history keeps every point for charts.
        var history = await chart.RequestAsync("request_history", "metrics:acme/svc_a", new { limit = 100 });
        history.GetProperty("publications").GetArrayLength().ShouldBe(40);
    }
}

public sealed class ShutdownFlushTests
{
    [Fact]
    public async Task PendingBatches_AreFlushedBeforeShutdown()
    {
        var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:Namespaces:logs:BatchMaxDelayMs"] = "60000" });
        await using var viewer = await server.ConnectUserAsync("u_1", "acme");
        await viewer.SubscribeAsync("logs:acme/final");
        for (var i = 0; i < 3; i++)
        {
            (await server.PublishAsync("logs:acme/final", "log_entry", new { line = i })).EnsureSuccessStatusCode();
        }
        var stopping = server.DisposeAsync().AsTask();
        var batch = await viewer.ReceiveAsync();
        batch.Type().ShouldBe("batch");
        batch.GetProperty("publications").GetArrayLength().ShouldBe(3);
        (await viewer.ReceiveAsync()).Code().ShouldBe(3001);
        await stopping.WaitAsync(TestServer.Timeout);
    }

    [Fact]
    public async Task Shutdown_SpreadsTheSuggestedReconnectDelaysOverTheWindow_OnWebSocketAndSse()
    {
        var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:ShutdownReconnectWindowSeconds"] = "2" });
        var clients = new List<WsClient>();
        for (var i = 0; i < 20; i++)
        {
            clients.Add(await server.ConnectUserAsync($"u_{i}", "acme"));
        }
        var (_, sse, _) = await SseClient.ConnectAsync(server.BaseUri, $"channel=org:acme&token={TestTokens.Hs256("u_sse", "acme")}");
        await using var _s = sse!;
        (await sse!.ReceiveAsync()).Event.ShouldBe("subscribed");

        var stopping = server.DisposeAsync().AsTask();
        var delays = new List<double>();
        foreach (var client in clients)
        {
            var frame = await client.ReceiveAsync();
            frame.Code().ShouldBe(3001);
            delays.Add(frame.GetProperty("reconnectDelay").GetDouble());
            await client.DisposeAsync();
        }
        var disconnect = await sse.ReceiveAsync();
        disconnect.Event.ShouldBe("disconnect");
        var sseDelay = disconnect.Json.GetProperty("reconnectDelay").GetDouble();
        sse.Retry.ShouldBe((long)(sseDelay * 1000));
        await stopping.WaitAsync(TestServer.Timeout);

        delays.ShouldAllBe(d => d >= 0 && d <= 2);
        delays.Distinct().Count().ShouldBeGreaterThan(1);
    }

    [Fact]
    public async Task Shutdown_WithAWindowOfZero_SuggestsNoDelay()
    {
        var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Herald:ShutdownReconnectWindowSeconds"] = "0" });
        await using var client = await server.ConnectUserAsync("u_1", "acme");
        var stopping = server.DisposeAsync().AsTask();
        var frame = await client.ReceiveAsync();
        frame.Code().ShouldBe(3001);
        frame.TryGetProperty("reconnectDelay", out _).ShouldBeFalse();
        await stopping.WaitAsync(TestServer.Timeout);
    }
}
