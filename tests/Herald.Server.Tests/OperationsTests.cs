using System.Net;
using Herald.Core.Operations;

namespace Herald.Server.Tests;

/// <summary>Operations (create, progress, cancel, retry, idempotency, handlers) through HTTP and real WebSocket subscribers.</summary>
public sealed class OperationsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private static readonly string Alice = TestTokens.Hs256("alice", "acme");
    private static readonly string Bob = TestTokens.Hs256("bob", "acme");
    private static readonly string Mallory = TestTokens.Hs256("mallory", "globex");

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Herald:Operations:MaxParametersBytes"] = "512",
        ["Herald:Operations:MaxResultBytes"] = "512",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<(HttpStatusCode Status, JsonElement Body)> Create(object body, string? bearer = null, string? apiKey = null) =>
        _server.SendAsync(HttpMethod.Post, "/api/operations", body, bearer: bearer ?? (apiKey is null ? Alice : null), apiKey: apiKey);

    private Task<(HttpStatusCode Status, JsonElement Body)> Patch(string id, object body, string apiKey = TestServer.OperationsKey) =>
        _server.SendAsync(HttpMethod.Patch, $"/api/operations/{id}", body, apiKey: apiKey);

    [Fact]
    public async Task ServiceRestart_StagedProgress_IsSeenByEveryTab_AndAReloadGetsTheCurrentState()
    {
        await using var tab1 = await _server.ConnectUserAsync("alice", "acme");
        await using var tab2 = await _server.ConnectUserAsync("alice", "acme");
        await tab1.SubscribeAsync("connection:acme/7");

        var (status, created) = await Create(new { type = "service.restart", resource = "connection:acme/7", parameters = new { service = "sshd" } });
        status.ShouldBe(HttpStatusCode.Accepted);
        var id = created.Str("id");
        created.Str("channel").ShouldBe($"operation:acme/{id}");
        created.Str("status").ShouldBe("pending");
        created.GetProperty("attempt").GetInt32().ShouldBe(1);
        created.GetProperty("parameters").Str("service").ShouldBe("sshd");
        (await tab2.SubscribeAsync(created.Str("channel"))).GetProperty("state")[0].GetProperty("data").Str("status").ShouldBe("pending");

        var created1 = await tab1.ReceiveAsync();
        created1.Type().ShouldBe("operation.created");
        created1.GetProperty("data").Str("id").ShouldBe(id);

        foreach (var progress in new[] { 10, 30, 50 })
        {
            (await Patch(id, new { status = "running", progress, message = $"at {progress}" })).Status.ShouldBe(HttpStatusCode.OK);
        }
        // A reload mid-way: a new subscriber gets the current state at once.
        await using (var reload = await _server.ConnectUserAsync("alice", "acme"))
        {
            var state = (await reload.SubscribeAsync($"operation:acme/{id}")).GetProperty("state").EnumerateArray().Single().GetProperty("data");
            state.GetProperty("progress").GetInt32().ShouldBe(50);
            state.Str("status").ShouldBe("running");
        }
        (await Patch(id, new { progress = 90 })).Status.ShouldBe(HttpStatusCode.OK);
        var (_, done) = await Patch(id, new { status = "completed", result = new { restarted = true } });
        done.GetProperty("progress").GetInt32().ShouldBe(100);
        done.GetProperty("completedAt").ValueKind.ShouldBe(JsonValueKind.String);

        foreach (var tab in new[] { tab1, tab2 })
        {
            var events = new List<JsonElement>();
            while (events.Count == 0 || events[^1].Type() != "operation.completed")
            {
                var frame = await tab.ReceiveAsync();
                if (frame.Type()!.StartsWith("operation.", StringComparison.Ordinal))
                {
                    events.Add(frame);
                }
            }
            events.Where(e => e.Type() == "operation.progress").Select(e => e.GetProperty("data").GetProperty("progress").GetInt32()).ShouldBe([10, 30, 50, 90]);
            events[^1].GetProperty("data").GetProperty("result").GetProperty("restarted").GetBoolean().ShouldBeTrue();
        }
        (await _server.SendAsync(HttpMethod.Get, $"/api/operations/{id}", bearer: Bob)).Body.Str("status").ShouldBe("completed");
    }

    [Fact]
    public async Task DuplicateStart_IsRefusedWith409AndTheExistingId_UntilTheFirstEnds()
    {
        var (_, first) = await Create(new { type = "service.restart", resource = "connection:acme/8" });
        var (status, problem) = await Create(new { type = "service.restart", resource = "connection:acme/8" }, bearer: Bob);
        status.ShouldBe(HttpStatusCode.Conflict);
        problem.Str("existingId").ShouldBe(first.Str("id"));
        // Another type on the same resource, or the same type elsewhere, is fine.
        (await Create(new { type = "service.stop", resource = "connection:acme/8" })).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Create(new { type = "service.restart", resource = "connection:acme/9" })).Status.ShouldBe(HttpStatusCode.Accepted);
        (await Patch(first.Str("id"), new { status = "failed", error = "boom" })).Status.ShouldBe(HttpStatusCode.OK);
        (await Create(new { type = "service.restart", resource = "connection:acme/8" })).Status.ShouldBe(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task SameIdempotencyKey_ReturnsTheSameOperation()
    {
        var (s1, a) = await Create(new { type = "workspace.backup", resource = "workspace:acme/ws_1", idempotencyKey = "k-1" });
        var (s2, b) = await Create(new { type = "workspace.backup", resource = "workspace:acme/ws_1", idempotencyKey = "k-1" });
        s1.ShouldBe(HttpStatusCode.Accepted);
        s2.ShouldBe(HttpStatusCode.Accepted);
        b.Str("id").ShouldBe(a.Str("id"));
    }

    [Fact]
    public async Task StatusMachine_RefusesBadTransitions()
    {
        var (_, op) = await Create(new { type = "t.machine", resource = "connection:acme/m" });
        var id = op.Str("id");
        (await Patch(id, new { status = "running", progress = 40 })).Status.ShouldBe(HttpStatusCode.OK);
        var (back, backProblem) = await Patch(id, new { progress = 20 });
        back.ShouldBe(HttpStatusCode.Conflict);
        backProblem.Str("detail").ShouldContain("progress");
        (await Patch(id, new { status = "pending" })).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Patch(id, new { progress = 101 })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Patch(id, new { progress = -1 })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Patch(id, new { progress = "50" })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Patch(id, new { status = "exploded" })).Status.ShouldBe(HttpStatusCode.BadRequest);
        (await Patch(id, new { status = "completed" })).Status.ShouldBe(HttpStatusCode.OK);
        var (final, finalProblem) = await Patch(id, new { status = "running" });
        final.ShouldBe(HttpStatusCode.Conflict);
        finalProblem.Str("detail").ShouldContain("final");
        (await Patch(id, new { status = "failed" })).Status.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CancelRequested_ReachesTheWorker_WhoEndsItAsCancelled()
    {
        var (_, op) = await Create(new { type = "cluster.upgrade", resource = "workspace:acme/ws_2" });
        var id = op.Str("id");
        await using var worker = await _server.ConnectUserAsync("worker", "acme");
        await worker.SubscribeAsync($"operation:acme/{id}");
        (await Patch(id, new { status = "running", progress = 5 })).Status.ShouldBe(HttpStatusCode.OK);

        var (status, cancelled) = await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/cancel", bearer: Bob);
        status.ShouldBe(HttpStatusCode.Accepted);
        cancelled.GetProperty("cancelRequested").GetBoolean().ShouldBeTrue();
        (await worker.ReceiveUntilAsync(f => f.Type() == "operation.cancel_requested")).GetProperty("data").GetProperty("cancelRequested").GetBoolean().ShouldBeTrue();

        (await Patch(id, new { status = "cancelled", message = "stopped by request" })).Status.ShouldBe(HttpStatusCode.OK);
        (await worker.ReceiveUntilAsync(f => f.Type() == "operation.cancelled")).GetProperty("data").Str("status").ShouldBe("cancelled");
        (await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/cancel", bearer: Bob)).Status.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Retry_OfAFailedOperation_IsANewAttemptLinkedToTheOld()
    {
        var (_, op) = await Create(new { type = "workspace.backup", resource = "workspace:acme/ws_3", parameters = new { retention = 7 } });
        var id = op.Str("id");
        (await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/retry", bearer: Alice)).Status.ShouldBe(HttpStatusCode.Conflict);
        (await Patch(id, new { status = "failed", error = "disk full" })).Status.ShouldBe(HttpStatusCode.OK);
        var (status, retry) = await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/retry", bearer: Alice);
        status.ShouldBe(HttpStatusCode.Accepted);
        retry.Str("id").ShouldNotBe(id);
        retry.GetProperty("attempt").GetInt32().ShouldBe(2);
        retry.Str("retryOf").ShouldBe(id);
        retry.Str("status").ShouldBe("pending");
        retry.GetProperty("parameters").GetProperty("retention").GetInt32().ShouldBe(7);
    }

    [Fact]
    public async Task OtherOrganisations_CannotSeeOrTouchOperations()
    {
        var (_, op) = await Create(new { type = "t.private", resource = "connection:acme/p" });
        var id = op.Str("id");
        (await _server.SendAsync(HttpMethod.Get, $"/api/operations/{id}", bearer: Mallory)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/cancel", bearer: Mallory)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await _server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/retry", bearer: Mallory)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Create(new { type = "t.private", resource = "connection:acme/q" }, bearer: Mallory)).Status.ShouldBe(HttpStatusCode.Forbidden);
        var (_, list) = await _server.SendAsync(HttpMethod.Get, "/api/operations?status=all", bearer: Mallory);
        list.GetProperty("items").GetArrayLength().ShouldBe(0);
        (await _server.SendAsync(HttpMethod.Get, "/api/operations?resource=connection:acme/p", bearer: Mallory)).Status.ShouldBe(HttpStatusCode.Forbidden);
        await using var spy = await _server.ConnectUserAsync("mallory", "globex");
        (await spy.SubscribeAsync($"operation:acme/{id}")).Code().ShouldBe(103);
    }

    [Fact]
    public async Task List_FiltersByResourceAndActivity()
    {
        var (_, a) = await Create(new { type = "t.one", resource = "connection:acme/l" });
        var (_, b) = await Create(new { type = "t.two", resource = "connection:acme/l" });
        await Create(new { type = "t.one", resource = "connection:acme/other" });
        (await Patch(a.Str("id"), new { status = "completed" })).Status.ShouldBe(HttpStatusCode.OK);
        var (_, active) = await _server.SendAsync(HttpMethod.Get, "/api/operations?resource=connection:acme/l&status=active", bearer: Alice);
        active.GetProperty("items").EnumerateArray().Select(o => o.Str("id")).ShouldBe([b.Str("id")]);
        var (_, all) = await _server.SendAsync(HttpMethod.Get, "/api/operations?resource=connection:acme/l&status=all", apiKey: TestServer.OperationsKey);
        all.GetProperty("items").GetArrayLength().ShouldBe(2);
        (await _server.SendAsync(HttpMethod.Get, "/api/operations?status=sometimes", bearer: Alice)).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task BackendWithApiKey_CreatesInTheResourcesOrganisation()
    {
        var (status, op) = await Create(new { type = "build.run", resource = "build:acme/b1" }, apiKey: TestServer.OperationsKey);
        status.ShouldBe(HttpStatusCode.Accepted);
        op.Str("org").ShouldBe("acme");
        op.Str("createdBy").ShouldBe("api:worker");
        (await Create(new { type = "build.run", resource = "build:acme/b2" }, apiKey: TestServer.PublishKey)).Status.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("{\"type\":", HttpStatusCode.BadRequest)]
    [InlineData("[]", HttpStatusCode.BadRequest)]
    [InlineData("{\"resource\":\"connection:acme/1\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":\"x\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":\"x\",\"resource\":\"not a channel\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":\"x y\",\"resource\":\"connection:acme/1\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":5,\"resource\":\"connection:acme/1\"}", HttpStatusCode.BadRequest)]
    [InlineData("{\"type\":\"x\",\"resource\":\"connection:acme/1\",\"parameters\":[1]}", HttpStatusCode.BadRequest)]
    public async Task MalformedCreates_GetProblems(string body, HttpStatusCode expected)
    {
        var (status, problem) = await _server.SendAsync(HttpMethod.Post, "/api/operations", body, bearer: Alice);
        status.ShouldBe(expected);
        problem.Str("detail").ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task OversizedParametersAndResults_AreRefused()
    {
        var big = new string('x', 600);
        (await Create(new { type = "t.big", resource = "connection:acme/b", parameters = new { big } })).Status.ShouldBe(HttpStatusCode.BadRequest);
        var (_, op) = await Create(new { type = "t.big", resource = "connection:acme/b" });
        (await Patch(op.Str("id"), new { status = "completed", result = new { big } })).Status.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownIdsAndMissingCredentials_GetProblems()
    {
        (await _server.SendAsync(HttpMethod.Get, "/api/operations/op_nope", bearer: Alice)).Status.ShouldBe(HttpStatusCode.NotFound);
        (await Patch("op_nope", new { progress = 1 })).Status.ShouldBe(HttpStatusCode.NotFound);
        (await _server.SendAsync(HttpMethod.Get, "/api/operations/op_nope")).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await _server.SendAsync(HttpMethod.Patch, "/api/operations/op_nope", new { progress = 1 }, bearer: Alice)).Status.ShouldBe(HttpStatusCode.Unauthorized);
        (await _server.SendAsync(HttpMethod.Patch, "/api/operations/op_nope", new { progress = 1 }, apiKey: TestServer.PublishKey)).Status.ShouldBe(HttpStatusCode.Forbidden);
    }
}

/// <summary>In-process handlers, time-outs and retention.</summary>
public sealed class OperationHandlerTests
{
    [Fact]
    public async Task DemoSleep_Cancel_RoundTrip_EndsCancelled()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await server.ConnectUserAsync("alice", "acme");
        await watcher.SubscribeAsync("service:acme/db");
        var (status, op) = await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "demo.sleep", resource = "service:acme/db", parameters = new { seconds = 600, steps = 600 } }, bearer: TestTokens.Hs256("alice", "acme"));
        status.ShouldBe(HttpStatusCode.Accepted);
        var id = op.Str("id");
        (await watcher.ReceiveUntilAsync(f => f.Type() == "operation.progress" && f.GetProperty("data").Str("status") == "running")).GetProperty("data").Str("id").ShouldBe(id);

        (await server.SendAsync(HttpMethod.Post, $"/api/operations/{id}/cancel", bearer: TestTokens.Hs256("bob", "acme"))).Status.ShouldBe(HttpStatusCode.Accepted);
        (await watcher.ReceiveUntilAsync(f => f.Type() == "operation.cancelled")).GetProperty("data").Str("status").ShouldBe("cancelled");
    }

    [Fact]
    public async Task DemoSleep_CompletesWithItsResult_OrFailsWithItsError()
    {
        await using var server = await TestServer.StartAsync();
        await using var watcher = await server.ConnectUserAsync("alice", "acme");
        await watcher.SubscribeAsync("service:acme/a");
        await watcher.SubscribeAsync("service:acme/b");
        var alice = TestTokens.Hs256("alice", "acme");
        await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "demo.sleep", resource = "service:acme/a", parameters = new { seconds = 0.05, steps = 2 } }, bearer: alice);
        await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "demo.sleep", resource = "service:acme/b", parameters = new { seconds = 0.05, steps = 4, fail = true } }, bearer: alice);
        // The two run at once (different resources): their final events come in either order.
        var finals = new Dictionary<string, JsonElement>();
        while (finals.Count < 2)
        {
            var frame = await watcher.ReceiveAsync();
            if (frame.Type() is "operation.completed" or "operation.failed")
            {
                finals[frame.Type()!] = frame;
            }
        }
        finals["operation.completed"].GetProperty("data").GetProperty("result").GetProperty("steps").GetInt32().ShouldBe(2);
        finals["operation.completed"].GetProperty("data").Str("resource").ShouldBe("service:acme/a");
        finals["operation.failed"].GetProperty("data").Str("error").ShouldContain("as asked");
    }

    [Fact]
    public async Task Handlers_NeverRunTwoOperationsOfOneResourceAtOnce()
    {
        var gate = new BlockingHandlers();
        await using var server = await TestServer.StartAsync(services: s =>
        {
            s.AddSingleton<IOperationHandler>(gate.For("t.first"));
            s.AddSingleton<IOperationHandler>(gate.For("t.second"));
        });
        var alice = TestTokens.Hs256("alice", "acme");
        var (_, first) = await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "t.first", resource = "service:acme/one" }, bearer: alice);
        await gate.Started("t.first").WaitAsync(TestServer.Timeout);
        var (_, second) = await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "t.second", resource = "service:acme/one" }, bearer: alice);
        (await server.SendAsync(HttpMethod.Get, $"/api/operations/{second.Str("id")}", bearer: alice)).Body.Str("status").ShouldBe("pending");
        gate.Release("t.first");
        await gate.Started("t.second").WaitAsync(TestServer.Timeout);
        gate.MaxConcurrent.ShouldBe(1);
        gate.Release("t.second");
        await TestServer.EventuallyAsync(async () => (await server.SendAsync(HttpMethod.Get, $"/api/operations/{second.Str("id")}", bearer: alice)).Body.Str("status") == "completed", "the second to complete");
        (await server.SendAsync(HttpMethod.Get, $"/api/operations/{first.Str("id")}", bearer: alice)).Body.Str("status").ShouldBe("completed");
    }

    [Fact]
    public async Task SilentWorker_TimesOutToFailed_AndFinishedOperationsAreRemovedAfterRetention()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Herald:Operations:StaleAfterSeconds"] = "1",
            ["Herald:Operations:RetentionSeconds"] = "1",
            ["Herald:Operations:MaintenanceIntervalSeconds"] = "0.1",
        });
        await using var watcher = await server.ConnectUserAsync("alice", "acme");
        await watcher.SubscribeAsync("connection:acme/s");
        var alice = TestTokens.Hs256("alice", "acme");
        var (_, op) = await server.SendAsync(HttpMethod.Post, "/api/operations", new { type = "service.restart", resource = "connection:acme/s" }, bearer: alice);
        (await server.SendAsync(HttpMethod.Patch, $"/api/operations/{op.Str("id")}", new { status = "running", progress = 10 }, apiKey: TestServer.OperationsKey)).Status.ShouldBe(HttpStatusCode.OK);
        var failed = await watcher.ReceiveUntilAsync(f => f.Type() == "operation.failed");
        failed.GetProperty("data").Str("error").ShouldContain("no update from the worker");
        await TestServer.EventuallyAsync(async () => (await server.SendAsync(HttpMethod.Get, $"/api/operations/{op.Str("id")}", bearer: alice)).Status == HttpStatusCode.NotFound, "the failed operation to be removed");
    }

    /// <summary>Handlers that start, record how many run at once, and wait until the test releases them.</summary>
    private sealed class BlockingHandlers
    {
        private readonly Dictionary<string, TaskCompletionSource> _started = new();
        private readonly Dictionary<string, TaskCompletionSource> _released = new();
        private int _running;

        public int MaxConcurrent { get; private set; }

        public IOperationHandler For(string type)
        {
            _started[type] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _released[type] = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return new Handler(type, this);
        }

        public Task Started(string type) => _started[type].Task;

        public void Release(string type) => _released[type].TrySetResult();

        private sealed class Handler(string type, BlockingHandlers owner) : IOperationHandler
        {
            public string Type => type;

            public async Task ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
            {
                var now = Interlocked.Increment(ref owner._running);
                lock (owner)
                {
                    owner.MaxConcurrent = Math.Max(owner.MaxConcurrent, now);
                }
                owner._started[type].TrySetResult();
                try
                {
                    await owner._released[type].Task.WaitAsync(TestServer.Timeout, cancellationToken);
                }
                finally
                {
                    Interlocked.Decrement(ref owner._running);
                }
            }
        }
    }
}
