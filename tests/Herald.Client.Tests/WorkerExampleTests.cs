namespace Herald.Client.Tests;

/// <summary>The worker of docs/operations.md ("A worker in .NET"), run as written there.</summary>
public sealed class WorkerExampleTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    // BEGIN worker (the block in docs/operations.md)
    private static async Task Worker(HeraldApi api, Func<int, Task> work)
    {
        var op = (await api.ListOperationsAsync(org: "acme", activeOnly: true)).First(o => o.Status == OperationStatus.Pending);
        op = await api.ReportProgressAsync(op.Id, 10, "starting");
        foreach (var step in new[] { 40, 70, 90 })
        {
            if (op.CancelRequested) { await api.MarkCancelledAsync(op.Id, "stopped on request"); return; }
            try { await work(step); }
            catch (Exception ex) { await api.FailOperationAsync(op.Id, ex.Message); return; }
            op = await api.ReportProgressAsync(op.Id, step, $"at {step} %");
        }
        await api.CompleteOperationAsync(op.Id);
    }
    // END worker

    private HeraldApi Api() => new(new HttpClient { Timeout = Timeout }, new HeraldApiOptions { BaseAddress = _server.BaseUri, ApiKey = TestServer.OperationsKey });

    [Fact]
    public void TheDocumentedWorker_IsTheCodeThisTestRuns()
    {
        var doc = File.ReadAllText(Path.Combine(Repository.Root, "docs", "operations.md"));
        var block = doc[(doc.IndexOf("### A worker in .NET", StringComparison.Ordinal))..];
        block = block[(block.IndexOf("```csharp\n", StringComparison.Ordinal) + 10)..];
        block = block[..block.IndexOf("```", StringComparison.Ordinal)];
        var source = File.ReadAllText(Path.Combine(Repository.Root, "tests", "Herald.Client.Tests", "WorkerExampleTests.cs"));
        var body = source[source.IndexOf("// BEGIN worker", StringComparison.Ordinal)..source.IndexOf("// END worker", StringComparison.Ordinal)];
        body = body[(body.IndexOf("    {\n", StringComparison.Ordinal) + 6)..body.LastIndexOf("    }", StringComparison.Ordinal)];
        static string Normalise(string text) => string.Join('\n', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

        Normalise(body).ShouldBe(Normalise(block));
    }

    [Fact]
    public async Task Worker_StagedProgress_Completes()
    {
        var api = Api();
        var created = await api.CreateOperationAsync("backup.run", "connection:acme/1").WaitAsync(Timeout);

        await Worker(api, _ => Task.CompletedTask).WaitAsync(Timeout);

        var done = await api.GetOperationAsync(created.Id).WaitAsync(Timeout);
        done.Status.ShouldBe(OperationStatus.Completed);
        done.Progress.ShouldBe(100);
    }

    [Fact]
    public async Task Worker_AStepThrows_FailsWithTheError()
    {
        var api = Api();
        var created = await api.CreateOperationAsync("backup.run", "connection:acme/2").WaitAsync(Timeout);

        await Worker(api, step => step == 70 ? throw new InvalidOperationException("disk full") : Task.CompletedTask).WaitAsync(Timeout);

        var failed = await api.GetOperationAsync(created.Id).WaitAsync(Timeout);
        failed.Status.ShouldBe(OperationStatus.Failed);
        failed.Error.ShouldBe("disk full");
        failed.Progress.ShouldBe(40);
    }

    [Fact]
    public async Task Worker_CancelRequested_StopsAsCancelled()
    {
        var api = Api();
        var created = await api.CreateOperationAsync("backup.run", "connection:acme/3").WaitAsync(Timeout);

        await Worker(api, async step =>
        {
            if (step == 40)
            {
                await api.CancelOperationAsync(created.Id);
            }
        }).WaitAsync(Timeout);

        var cancelled = await api.GetOperationAsync(created.Id).WaitAsync(Timeout);
        cancelled.Status.ShouldBe(OperationStatus.Cancelled);
        cancelled.Progress.ShouldBe(40);
    }
}
