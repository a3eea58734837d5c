using System.Collections.Concurrent;
using System.Net;
using Herald.Server.Tests.Infrastructure;
using Herald.Testing;

namespace Herald.Server.Tests;

/// <summary>
/// Several standalone server processes on one PostgreSQL database, as operators run them: delivery
/// and order across nodes, a node killed mid-stream, PostgreSQL restarted mid-stream, and start-up
/// errors. Every publication counted as acknowledged got a 2xx answer.
/// </summary>
public sealed class ClusterTests
{
    private const string Channel = "build:acme/cluster";

    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Publications_FromEveryNode_ReachSubscribersOnEveryNode_InOneGaplessOrder()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        var extra = new Dictionary<string, string> { ["Herald__Namespaces__task__HistorySize"] = "0" };
        // Started together: the schema is created once, whichever node gets there first.
        var nodes = await Task.WhenAll(new[] { "a", "b", "c" }.Select(n => ClusterNode.StartAsync(database, n, extra)));
        try
        {
            var clients = await Task.WhenAll(nodes.Select(n => n.ConnectAsync()));
            foreach (var client in clients)
            {
                (await client.SubscribeAsync(Channel)).Type().ShouldBe("subscribed");
                (await client.SubscribeAsync("task:acme/plain")).Type().ShouldBe("subscribed");
            }

            const int PerPublisher = 50;
            var publishers = new[] { nodes[0], nodes[0], nodes[1], nodes[1] }.Select((node, p) => Task.Run(async () =>
            {
                for (var i = 0; i < PerPublisher; i++)
                {
                    (await node.PublishAsync(Channel, new { p, i })).Status.ShouldBe(HttpStatusCode.OK);
                }
            }));
            await Task.WhenAll(publishers).WaitAsync(Long);
            (await nodes[2].PublishAsync("task:acme/plain", new { plain = true })).Status.ShouldBe(HttpStatusCode.OK);

            var sequences = new List<string[]>();
            foreach (var client in clients)
            {
                var received = new List<JsonElement>();
                while (received.Count < 4 * PerPublisher)
                {
                    var frame = await client.ReceiveAsync();
                    if (frame.Type() == "test.event" && frame.Str("channel") == Channel)
                    {
                        received.Add(frame);
                    }
                }
                received.Select(f => f.GetProperty("offset").GetInt64()).ShouldBe(Enumerable.Range(1, 4 * PerPublisher).Select(i => (long)i));
                sequences.Add(received.Select(f => f.Str("publicationId")).ToArray());
                var plain = await client.ReceiveUntilAsync(f => f.Type() == "test.event" && f.Str("channel") == "task:acme/plain");
                plain.TryGetProperty("offset", out _).ShouldBeFalse();
            }
            sequences[1].ShouldBe(sequences[0]);
            sequences[2].ShouldBe(sequences[0]);
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
        finally
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task NodeKilledMidStream_ItsClientRecoversOnAnotherNode_WithNoLossAndNoDuplicate()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await using var publisherNode = await ClusterNode.StartAsync(database, "a");
        await using var survivor = await ClusterNode.StartAsync(database, "b");
        var doomed = await ClusterNode.StartAsync(database, "c");
        var acknowledged = new ConcurrentDictionary<long, string>();
        var received = new List<JsonElement>();
        try
        {
            var client = await doomed.ConnectAsync();
            var subscribed = await client.SubscribeAsync(Channel);
            var epoch = subscribed.Str("epoch");
            using var stop = new CancellationTokenSource();
            var publishing = Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var (status, offset, id) = await publisherNode.PublishAsync(Channel, new { i });
                    status.ShouldBe(HttpStatusCode.OK);
                    acknowledged[offset] = id!;
                    await Task.Delay(5);
                }
            });
            while (received.Count < 20)
            {
                received.Add(await client.ReceiveUntilAsync(f => f.Type() == "test.event"));
            }

            await doomed.Process.KillHardAsync();
            await client.WaitForCloseAsync();
            // Keep whatever arrived before the connection died.
            while (await TryReceiveAsync(client) is { } frame)
            {
                if (frame.Type() == "test.event")
                {
                    received.Add(frame);
                }
            }
            await client.DisposeAsync();
            while (acknowledged.Count < received.Count + 30)
            {
                await Task.Delay(20).WaitAsync(Long);
            }

            var last = received[^1].GetProperty("offset").GetInt64();
            await using var again = await survivor.ConnectAsync();
            var recovered = await again.RequestAsync("subscribe", Channel, new { since = new { offset = last, epoch } });
            recovered.Type().ShouldBe("subscribed");
            recovered.GetProperty("recovered").GetBoolean().ShouldBeTrue();
            received.AddRange(recovered.GetProperty("publications").EnumerateArray());
            await stop.CancelAsync();
            await publishing.WaitAsync(Long);
            var top = acknowledged.Keys.Max();
            while (received[^1].GetProperty("offset").GetInt64() < top)
            {
                received.Add(await again.ReceiveUntilAsync(f => f.Type() == "test.event"));
            }

            var offsets = received.Select(f => f.GetProperty("offset").GetInt64()).ToArray();
            offsets.ShouldBe(Enumerable.Range(1, (int)top).Select(i => (long)i), "every acknowledged publication once, in order");
            received.Select(f => f.Str("publicationId")).ShouldBe(Enumerable.Range(1, (int)top).Select(o => acknowledged[o]));
        }
        finally
        {
            await doomed.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("fast")]
    [InlineData("immediate")]
    public async Task PostgresRestartedMidStream_NodesReconnectByThemselves_AndNothingAcknowledgedIsLost(string mode)
    {
        await using var postgres = await TestPostgres.StartDedicatedAsync();
        var database = await postgres.CreateDatabaseAsync("herald");
        await using var a = await ClusterNode.StartAsync(database, "a");
        await using var b = await ClusterNode.StartAsync(database, "b");
        var client = await b.ConnectAsync();
        var epoch = (await client.SubscribeAsync(Channel)).Str("epoch");
        var acknowledged = new ConcurrentDictionary<long, string>();
        var failed = 0;
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var (status, offset, id) = await a.PublishAsync(Channel, new { i });
                    if (status == HttpStatusCode.OK)
                    {
                        acknowledged[offset] = id!;
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    Interlocked.Increment(ref failed);
                }
                await Task.Delay(10);
            }
        });
        var received = new List<JsonElement>();
        while (received.Count < 10)
        {
            received.Add(await client.ReceiveUntilAsync(f => f.Type() == "test.event"));
        }

        await postgres.StopAsync(mode);
        await UntilAsync(async () => (await a.Http.GetAsync("/ready")).StatusCode == HttpStatusCode.ServiceUnavailable);
        var failedWhileDown = Volatile.Read(ref failed);
        await Task.Delay(500);
        await postgres.StartAsync();
        await UntilAsync(async () => (await a.Http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK
            && (await b.Http.GetAsync("/ready")).StatusCode == HttpStatusCode.OK);
        var before = acknowledged.Count;
        await UntilAsync(() => Task.FromResult(acknowledged.Count >= before + 20));
        await stop.CancelAsync();
        await publishing.WaitAsync(Long);

        // The subscriber either kept its stream (the outage was shorter than the log keeps rows) or
        // was told to reconnect; either way it ends with every acknowledged publication, once.
        var top = acknowledged.Keys.Max();
        while (received.Count == 0 || received[^1].GetProperty("offset").GetInt64() < top)
        {
            var frame = await TryReceiveAsync(client);
            if (frame is null)
            {
                await client.DisposeAsync();
                client = await b.ConnectAsync();
                var answer = await client.RequestAsync("subscribe", Channel, new { since = new { offset = received[^1].GetProperty("offset").GetInt64(), epoch } });
                answer.GetProperty("recovered").GetBoolean().ShouldBeTrue();
                received.AddRange(answer.GetProperty("publications").EnumerateArray());
                continue;
            }
            if (frame.Value.Type() == "test.event")
            {
                received.Add(frame.Value);
            }
        }
        await client.DisposeAsync();

        failedWhileDown.ShouldBeGreaterThan(0, "publishing must fail while PostgreSQL is down, not hang or succeed unstored");
        var offsets = received.Select(f => f.GetProperty("offset").GetInt64()).ToArray();
        offsets.ShouldBe(offsets.Distinct().Order().ToArray(), "no duplicate, in order");
        offsets.ShouldBe(Enumerable.Range(1, (int)top).Select(i => (long)i), "gapless: a publication that failed was not stored either, or it is here");
        var ids = received.ToDictionary(f => f.GetProperty("offset").GetInt64(), f => f.Str("publicationId"));
        foreach (var (offset, id) in acknowledged)
        {
            ids[offset].ShouldBe(id);
        }
    }

    [Fact]
    public async Task OfficialSocketIOClient_LeavingOneNode_RecoversOnTheOther()
    {
        var directory = Path.Combine(Repository.Root, "tests", "socketio-interop");
        Directory.Exists(Path.Combine(directory, "node_modules", "socket.io-client"))
            .ShouldBeTrue("socket.io-client is not installed: run `npm ci` in tests/socketio-interop (bash scripts/test.sh does)");
        var database = await (await TestPostgres.SharedAsync()).CreateDatabaseAsync();
        await using var a = await ClusterNode.StartAsync(database, "a");
        await using var b = await ClusterNode.StartAsync(database, "b");

        var info = new System.Diagnostics.ProcessStartInfo("node")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "--test", "--test-concurrency=1", "--test-reporter=spec", "cluster.test.mjs" })
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["HERALD_URL_A"] = a.BaseUri.ToString().TrimEnd('/');
        info.Environment["HERALD_URL_B"] = b.BaseUri.ToString().TrimEnd('/');
        info.Environment["HERALD_JWT_SECRET"] = TestTokens.Secret;
        info.Environment["HERALD_API_KEY"] = TestServer.PublishKey;
        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the cluster interop script did not finish in 2 minutes");
        }
        var text = await stdout + await stderr;
        process.ExitCode.ShouldBe(0, text);
        text.ShouldContain("recovers on the other node over polling");
    }

    [Fact]
    public async Task Start_WithAnUnreachableDatabase_StopsNamingTheSetting()
    {
        await using var node = ServerProcess.Start(["--urls", "http://127.0.0.1:0"],
            ClusterNode.Environment("Host=127.0.0.1;Port=1;Username=herald;Database=herald;Timeout=3", "a"));

        (await node.WaitForExitAsync(Long)).ShouldBe(1);
        node.Stderr.ShouldContain("Herald:Storage:PostgresConnectionString");
        node.Stderr.ShouldContain("127.0.0.1:1/herald");
    }

    [Fact]
    public async Task Start_WithABadConnectionString_StopsNamingTheSettingWithoutThePassword()
    {
        await using var node = ServerProcess.Start(["--urls", "http://127.0.0.1:0"],
            ClusterNode.Environment("Host=127.0.0.1;Password=s3cret-value;Bogus Keyword=1", "a"));

        (await node.WaitForExitAsync(Long)).ShouldBe(2);
        node.Stderr.ShouldContain("Herald:Storage:PostgresConnectionString");
        node.Stderr.ShouldNotContain("s3cret-value");
    }

    private static async Task<JsonElement?> TryReceiveAsync(WsClient client)
    {
        try
        {
            return await client.ReceiveAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is TimeoutException or System.Threading.Channels.ChannelClosedException or InvalidOperationException or OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(Long);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100, timeout.Token);
        }
    }
}
