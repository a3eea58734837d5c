using System.Net;
using Herald.Messages;

namespace Herald.Client.Tests;

/// <summary>HeraldApi against the real server: every call's answer, and refusals as HeraldApiException.</summary>
public sealed class HeraldApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private HeraldApi Api(string? apiKey = null, string? token = null) =>
        new(new HttpClient { Timeout = Timeout }, new HeraldApiOptions { BaseAddress = _server.BaseUri, ApiKey = apiKey, Token = token, CancelPollInterval = TimeSpan.FromMilliseconds(50) });

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task Publish_ThenHistory_ReadsItBack_WithTagsAndKey()
    {
        var api = Api(TestServer.PublishKey);

        var result = await api.PublishAsync("org:acme", "workspace.status", Json("{\"status\":\"RUNNING\"}"), new Dictionary<string, string> { ["status"] = "running" }, key: "ws_1").WaitAsync(Timeout);
        var page = await Api(TestServer.AdminKey).GetHistoryAsync("org:acme", since: 0).WaitAsync(Timeout);

        result.Channel.ShouldBe("org:acme");
        result.Offset.ShouldBe(1);
        result.Epoch.ShouldNotBeNull();
        page.Publications.Count.ShouldBe(1);
        var publication = page.Publications[0];
        publication.Id.ShouldBe(result.Id);
        publication.Type.ShouldBe("workspace.status");
        System.Text.Encoding.UTF8.GetString(publication.Data.Span).ShouldBe("{\"status\":\"RUNNING\"}");
        publication.Tags!["status"].ShouldBe("running");
        publication.Key.ShouldBe("ws_1");
        page.Position.Epoch.ShouldBe(result.Epoch);
    }

    [Fact]
    public async Task Publish_WithTheSameIdempotencyKey_AnswersTheFirstPublication()
    {
        var api = Api(TestServer.PublishKey);

        var first = await api.PublishAsync("org:acme", "t", "{}", idempotencyKey: "same").WaitAsync(Timeout);
        var second = await api.PublishAsync("org:acme", "t", "{}", idempotencyKey: "same").WaitAsync(Timeout);

        second.Id.ShouldBe(first.Id);
        second.Offset.ShouldBe(first.Offset);
    }

    [Fact]
    public async Task ReadHistory_PagesForward_UntilTheEnd()
    {
        var api = Api(TestServer.PublishKey);
        for (var i = 1; i <= 5; i++)
        {
            await api.PublishAsync("build:acme/h", "step", $"{{\"i\":{i}}}").WaitAsync(Timeout);
        }

        var offsets = new List<long>();
        await foreach (var publication in Api(token: TestTokens.Hs256("u_1", "acme")).ReadHistoryAsync("build:acme/h", since: 0, pageSize: 2).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            offsets.Add(publication.Offset);
        }

        offsets.ShouldBe([1, 2, 3, 4, 5]);
    }

    [Fact]
    public async Task Broadcast_PublishesIntoEveryChannel()
    {
        var result = await Api(TestServer.PublishKey).BroadcastAsync(["org:acme", "user:u_42"], "notice", Json("{\"m\":1}")).WaitAsync(Timeout);

        result.Publications.Select(p => p.Channel).ShouldBe(["org:acme", "user:u_42"]);
    }

    [Fact]
    public async Task Presence_Stats_Channels_AndDisconnect()
    {
        await using var alice = await _server.ConnectUserAsync("alice", "acme");
        (await alice.RequestAsync("subscribe", "workspace:acme/p", new { info = new { viewing = "logs" } })).Type().ShouldBe("subscribed");
        var admin = Api(TestServer.AdminKey);

        var users = await admin.GetPresenceAsync("workspace:acme/p").WaitAsync(Timeout);
        var stats = await admin.GetStatsAsync().WaitAsync(Timeout);
        var channels = await admin.GetChannelsAsync("workspace:").WaitAsync(Timeout);
        var disconnected = await admin.DisconnectUserAsync("alice").WaitAsync(Timeout);

        users.Single().UserId.ShouldBe("alice");
        System.Text.Encoding.UTF8.GetString(users[0].Info.Span).ShouldContain("logs");
        stats.Connections.ShouldBe(1);
        stats.Totals.Nodes.ShouldBe(1);
        channels.Single().Channel.ShouldBe("workspace:acme/p");
        disconnected.Disconnected.ShouldBe(1);
    }

    [Fact]
    public async Task Errors_CarryTheStatus_TheCode_AndTheServersDetail()
    {
        var unknownNamespace = await Should.ThrowAsync<HeraldApiException>(() => Api(TestServer.PublishKey).PublishAsync("nope:acme", "t", "{}").WaitAsync(Timeout));
        var scope = await Should.ThrowAsync<HeraldApiException>(() => Api(TestServer.PublishKey).GetStatsAsync().WaitAsync(Timeout));
        var denied = await Should.ThrowAsync<HeraldApiException>(() => Api(token: TestTokens.Hs256("u_1", "acme")).GetHistoryAsync("org:globex").WaitAsync(Timeout));
        var missing = await Should.ThrowAsync<HeraldApiException>(() => Api(TestServer.OperationsKey).GetOperationAsync("op_000000000000000000000000").WaitAsync(Timeout));

        unknownNamespace.Status.ShouldBe(HttpStatusCode.BadRequest);
        unknownNamespace.Code.ShouldBe(HeraldErrorCode.UnknownNamespace);
        unknownNamespace.Detail.ShouldContain("namespace 'nope' is not configured");
        scope.Status.ShouldBe(HttpStatusCode.Forbidden);
        scope.Code.ShouldBeNull();
        scope.Detail.ShouldContain("lacks the 'admin' scope");
        denied.Status.ShouldBe(HttpStatusCode.Forbidden);
        denied.Code.ShouldBe(HeraldErrorCode.PermissionDenied);
        missing.Status.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Operations_Lifecycle_CancelRequest_AndRetry()
    {
        var worker = Api(TestServer.OperationsKey);
        var created = await worker.CreateOperationAsync("backup.run", "connection:acme/1", Json("{\"full\":true}"), idempotencyKey: "b-1").WaitAsync(Timeout);
        var again = await worker.CreateOperationAsync("backup.run", "connection:acme/1", idempotencyKey: "b-1").WaitAsync(Timeout);

        var running = await worker.ReportProgressAsync(created.Id, 10, "starting").WaitAsync(Timeout);
        var listed = await worker.ListOperationsAsync(org: "acme", activeOnly: true).WaitAsync(Timeout);
        var whenCancel = worker.WhenCancelRequestedAsync(created.Id);
        using var token = worker.CancellationFor(created.Id);
        var requested = await Api(token: TestTokens.Hs256("u_1", "acme")).CancelOperationAsync(created.Id).WaitAsync(Timeout);
        (await whenCancel.WaitAsync(Timeout)).CancelRequested.ShouldBeTrue();
        await Task.Delay(System.Threading.Timeout.Infinite, token.Token).ContinueWith(_ => { }).WaitAsync(Timeout);
        var failed = await worker.FailOperationAsync(created.Id, "disk full").WaitAsync(Timeout);
        var retried = await worker.RetryOperationAsync(created.Id).WaitAsync(Timeout);
        var conflict = await Should.ThrowAsync<HeraldApiException>(() => worker.ProgressBackwards(created.Id).WaitAsync(Timeout));
        var completed = await worker.CompleteOperationAsync(retried.Id, Json("{\"size\":42}")).WaitAsync(Timeout);

        again.Id.ShouldBe(created.Id);
        running.Status.ShouldBe(OperationStatus.Running);
        running.Message.ShouldBe("starting");
        listed.Select(o => o.Id).ShouldContain(created.Id);
        requested.CancelRequested.ShouldBeTrue();
        token.IsCancellationRequested.ShouldBeTrue();
        failed.Status.ShouldBe(OperationStatus.Failed);
        failed.Error.ShouldBe("disk full");
        retried.Attempt.ShouldBe(2);
        retried.RetryOf.ShouldBe(created.Id);
        conflict.Status.ShouldBe(HttpStatusCode.Conflict);
        completed.Progress.ShouldBe(100);
        completed.Result!.Value.GetProperty("size").GetInt32().ShouldBe(42);
    }

    [Fact]
    public async Task Notifications_Send_List_Read_Dismiss()
    {
        var sent = await Api(TestServer.PublishKey).SendNotificationAsync(new NotificationRequest { User = "alice", Title = "Backup done", Message = "ws_12", Level = "success", Data = Json("{\"ws\":12}") }).WaitAsync(Timeout);
        var alice = Api(token: TestTokens.Hs256("alice", "acme"));

        var inbox = await alice.ListNotificationsAsync().WaitAsync(Timeout);
        var read = await alice.MarkNotificationReadAsync(sent.Id).WaitAsync(Timeout);
        var all = await alice.MarkAllNotificationsReadAsync().WaitAsync(Timeout);
        var dismissed = await alice.DismissNotificationAsync(sent.Id).WaitAsync(Timeout);
        var refused = await Should.ThrowAsync<HeraldApiException>(() => Api(TestServer.PublishKey).ListNotificationsAsync().WaitAsync(Timeout));

        sent.Id.ShouldStartWith("n_");
        inbox.Items.Single().Title.ShouldBe("Backup done");
        inbox.Unread.ShouldBe(1);
        read.Unread.ShouldBe(0);
        all.Unread.ShouldBe(0);
        dismissed.Id.ShouldBe(sent.Id);
        refused.Status.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AddHeraldClient_RegistersATypedClient_ThatPublishes()
    {
        var services = new ServiceCollection();
        services.AddHeraldClient(o =>
        {
            o.BaseAddress = _server.BaseUri;
            o.ApiKey = TestServer.PublishKey;
        });
        await using var provider = services.BuildServiceProvider();

        var result = await provider.GetRequiredService<HeraldApi>().PublishAsync("org:acme", "t", "{\"a\":1}").WaitAsync(Timeout);

        result.Offset.ShouldBe(1);
    }
}

internal static class OperationTestExtensions
{
    public static Task<Operation> ProgressBackwards(this HeraldApi api, string id) =>
        api.UpdateOperationAsync(id, new OperationUpdate { Progress = 0 });
}
