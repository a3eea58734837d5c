using System.Net;
using System.Net.WebSockets;

namespace Herald.Server.Tests;

/// <summary>The standalone server on its default storage (SQLite) keeps history, positions and state across a restart.</summary>
public sealed class RestartTests
{
    private static Dictionary<string, string> Environment(string database) => new()
    {
        ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
        ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
        ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
        ["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish",
        ["Herald__Auth__ApiKeys__0__Scopes__1"] = "operations",
        ["Herald__Storage__SqlitePath"] = database,
    };

    private static Task<WsClient> Connect(Uri baseUri) => WsClient.ConnectUserAsync(baseUri);

    private static async Task Publish(HttpClient http, string channel, string type, object data, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = System.Net.Http.Json.JsonContent.Create(new { channel, type, data, key }) };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await http.SendAsync(request);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task SigkillUnderPublishingLoad_LosesNothingAcknowledged_AndClientsRecoverFromTheirPositions()
    {
        var database = Path.Combine(Path.GetTempPath(), $"herald-kill-{Guid.NewGuid():N}.db");
        const string channel = "build:acme/killed";
        try
        {
            var acknowledged = new System.Collections.Concurrent.ConcurrentDictionary<long, string>();
            StreamPositionSeen held;
            var environment = Environment(database);
            environment["Herald__Namespaces__build__HistorySize"] = "100000";
            await using (var first = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], environment))
            {
                var baseUri = await first.WaitListeningAsync();
                using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
                await using var client = await Connect(baseUri);
                var epoch = (await client.SubscribeAsync(channel)).Str("epoch");
                using var stop = new CancellationTokenSource();
                // Four publishers as fast as the server answers; an answer that never comes (the kill) is not counted.
                var publishers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
                {
                    for (var i = 0; !stop.IsCancellationRequested; i++)
                    {
                        try
                        {
                            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = System.Net.Http.Json.JsonContent.Create(new { channel, type = "line", data = new { w, i } }) };
                            request.Headers.Add("X-API-Key", TestServer.PublishKey);
                            using var response = await http.SendAsync(request, stop.Token);
                            if (response.StatusCode == HttpStatusCode.OK)
                            {
                                var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop.Token)).RootElement;
                                acknowledged[body.GetProperty("offset").GetInt64()] = body.Str("id");
                            }
                        }
                        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
                        {
                            return;
                        }
                    }
                })).ToArray();
                // The subscriber keeps the position of what it got live; it stops reading half-way.
                var last = 0L;
                while (last < 200)
                {
                    last = (await client.ReceiveAsync()).GetProperty("offset").GetInt64();
                }
                held = new StreamPositionSeen(last, epoch);
                while (acknowledged.Count < 400)
                {
                    await Task.Delay(5);
                }
                await first.KillHardAsync();
                await stop.CancelAsync();
                await Task.WhenAll(publishers).WaitAsync(TestServer.Timeout);
            }

            await using var second = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], environment);
            var uri = await second.WaitListeningAsync();
            await using var again = await Connect(uri);
            var answer = await again.RequestAsync("subscribe", channel, new { since = new { offset = held.Offset, epoch = held.Epoch } });
            answer.GetProperty("recovered").GetBoolean().ShouldBeTrue(answer.GetRawText());
            answer.Str("epoch").ShouldBe(held.Epoch);
            var top = answer.GetProperty("offset").GetInt64();
            top.ShouldBeGreaterThanOrEqualTo(acknowledged.Keys.Max());
            // Stored: every acknowledged publication, with gapless offsets.
            using var http2 = new HttpClient { BaseAddress = uri, Timeout = TestServer.Timeout };
            var stored = new Dictionary<long, string>();
            for (var since = 0L; since < top;)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/history?channel={Uri.EscapeDataString(channel)}&since={since}&epoch={held.Epoch}&limit=1000");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Hs256("u_1", "acme"));
                using var response = await http2.SendAsync(request);
                response.StatusCode.ShouldBe(HttpStatusCode.OK);
                var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
                foreach (var p in page.GetProperty("publications").EnumerateArray())
                {
                    stored[p.GetProperty("offset").GetInt64()] = p.Str("publicationId");
                }
                since = stored.Count == 0 ? top : stored.Keys.Max();
                if (!page.GetProperty("hasMore").GetBoolean())
                {
                    break;
                }
            }
            stored.Keys.Order().ShouldBe(Enumerable.Range((int)stored.Keys.Min(), stored.Count).Select(o => (long)o), "gapless offsets");
            stored.Keys.Min().ShouldBe(1);
            answer.GetProperty("publications").GetArrayLength().ShouldBe((int)(top - held.Offset), "recovery replays everything after the held position");
            foreach (var (offset, id) in acknowledged)
            {
                stored.GetValueOrDefault(offset).ShouldBe(id, $"acknowledged publication at offset {offset}");
            }
            second.Stdout.ShouldContain("positions are kept");
        }
        finally
        {
            ServerProcess.DeleteDatabase(database);
        }
    }

    private sealed record StreamPositionSeen(long Offset, string Epoch);

    [Fact]
    public async Task HistoryPositionsAndState_SurviveARestart()
    {
        var database = Path.Combine(Path.GetTempPath(), $"herald-restart-{Guid.NewGuid():N}.db");
        try
        {
            string epoch;
            string sseId;
            string operationId;
            await using (var first = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], Environment(database)))
            {
                var baseUri = await first.WaitListeningAsync();
                using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
                await using var client = await Connect(baseUri);
                epoch = (await client.SubscribeAsync("build:acme/b1")).Str("epoch");
                await Publish(http, "build:acme/b1", "build.step", new { step = 1 });
                (await client.ReceiveAsync()).GetProperty("offset").GetInt64().ShouldBe(1);
                await Publish(http, "org:acme", "workspace.status", new { status = "RUNNING" }, key: "ws_1");

                var (_, sse, _) = await SseClient.ConnectAsync(baseUri, $"channel=build:acme/b1&token={TestTokens.Hs256("u_1", "acme")}");
                await using (sse!)
                {
                    (await sse!.ReceiveAsync()).Event.ShouldBe("subscribed");
                    await Publish(http, "build:acme/b1", "build.step", new { step = 2 });
                    (await sse.ReceiveAsync()).Event.ShouldBe("build.step");
                    sseId = sse.LastEventId!;
                }
                // An operation half-way and an unread notification, both persisted.
                var alice = TestTokens.Hs256("u_1", "acme");
                using var create = new HttpRequestMessage(HttpMethod.Post, "/api/operations") { Content = System.Net.Http.Json.JsonContent.Create(new { type = "service.restart", resource = "connection:acme/7", idempotencyKey = "restart-1" }) };
                create.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", alice);
                using var created = await http.SendAsync(create);
                created.StatusCode.ShouldBe(HttpStatusCode.Accepted);
                operationId = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.Str("id");
                using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/operations/{operationId}") { Content = System.Net.Http.Json.JsonContent.Create(new { status = "running", progress = 50 }) };
                patch.Headers.Add("X-API-Key", TestServer.PublishKey);
                (await http.SendAsync(patch)).StatusCode.ShouldBe(HttpStatusCode.OK);
                using var notify = new HttpRequestMessage(HttpMethod.Post, "/api/notifications") { Content = System.Net.Http.Json.JsonContent.Create(new { user = "u_1", title = "kept", message = "across restarts", level = "info" }) };
                notify.Headers.Add("X-API-Key", TestServer.PublishKey);
                (await http.SendAsync(notify)).StatusCode.ShouldBe(HttpStatusCode.Created);

                // Missed by the WebSocket client, which disconnects after offset 1 (it did receive 2 live, but pretends it did not).
                await Publish(http, "build:acme/b1", "build.step", new { step = 3 });
                first.Terminate();
                (await first.WaitForExitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0);
            }

            await using var second = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], Environment(database));
            var uri = await second.WaitListeningAsync();
            await using var again = await Connect(uri);
            var answer = await again.RequestAsync("subscribe", "build:acme/b1", new { since = new { offset = 1, epoch } });
            answer.GetProperty("recovered").GetBoolean().ShouldBeTrue();
            answer.Str("epoch").ShouldBe(epoch);
            answer.GetProperty("publications").EnumerateArray().Select(p => p.GetProperty("data").GetProperty("step").GetInt32()).ShouldBe([2, 3]);

            var state = (await again.SubscribeAsync("org:acme")).GetProperty("state").EnumerateArray().Single();
            state.Str("key").ShouldBe("ws_1");
            state.GetProperty("data").Str("status").ShouldBe("RUNNING");

            var (_, resumed, _) = await SseClient.ConnectAsync(uri, $"channel=build:acme/b1&token={TestTokens.Hs256("u_1", "acme")}", lastEventId: sseId);
            await using var _r = resumed!;
            (await resumed!.ReceiveAsync()).Json.GetProperty("recovered").GetBoolean().ShouldBeTrue();
            (await resumed.ReceiveAsync()).Json.GetProperty("data").GetProperty("step").GetInt32().ShouldBe(3);

            using var http2 = new HttpClient { BaseAddress = uri, Timeout = TestServer.Timeout };
            http2.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TestTokens.Hs256("u_1", "acme"));
            var operation = JsonDocument.Parse(await http2.GetStringAsync($"/api/operations/{operationId}")).RootElement;
            operation.Str("status").ShouldBe("running");
            operation.GetProperty("progress").GetInt32().ShouldBe(50);
            var opState = (await again.SubscribeAsync($"operation:acme/{operationId}")).GetProperty("state").EnumerateArray().Single();
            opState.GetProperty("data").GetProperty("progress").GetInt32().ShouldBe(50);
            var inbox = JsonDocument.Parse(await http2.GetStringAsync("/api/notifications")).RootElement;
            inbox.GetProperty("unread").GetInt32().ShouldBe(1);
            inbox.GetProperty("items")[0].Str("title").ShouldBe("kept");
            // The idempotency key still finds the same operation; the duplicate check still holds.
            using var again1 = new HttpRequestMessage(HttpMethod.Post, "/api/operations") { Content = System.Net.Http.Json.JsonContent.Create(new { type = "service.restart", resource = "connection:acme/7", idempotencyKey = "restart-1" }) };
            JsonDocument.Parse(await (await http2.SendAsync(again1)).Content.ReadAsStringAsync()).RootElement.Str("id").ShouldBe(operationId);
            using var duplicate = new HttpRequestMessage(HttpMethod.Post, "/api/operations") { Content = System.Net.Http.Json.JsonContent.Create(new { type = "service.restart", resource = "connection:acme/7" }) };
            (await http2.SendAsync(duplicate)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
            await Publish(http2, "build:acme/b1", "build.step", new { step = 4 });
            (await again.ReceiveAsync()).GetProperty("offset").GetInt64().ShouldBe(4);
        }
        finally
        {
            ServerProcess.DeleteDatabase(database);
        }
    }
}
