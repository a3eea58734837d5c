using System.Net.Http.Json;

namespace Herald.Cli.Tests;

/// <summary>
/// The verbs that talk to a server (publish, history, presence, stats, ops, notify), each run as a
/// process against the real server: their output, plain and --json, and their exit codes.
/// </summary>
public sealed class ServerVerbTests : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Dictionary<string, string> As(string? apiKey = null, string? token = null)
    {
        var environment = new Dictionary<string, string> { ["HERALD_URL"] = _server.BaseUri.ToString() };
        if (apiKey is not null)
        {
            environment["HERALD_API_KEY"] = apiKey;
        }
        if (token is not null)
        {
            environment["HERALD_TOKEN"] = token;
        }
        return environment;
    }

    [Fact]
    public async Task Publish_DataArgument_IsPublished_AndReported()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        var result = await HeraldProcess.RunAsync(["publish", "org:acme", "workspace.status", "{\"status\":\"RUNNING\"}", "--tag", "status=running", "--key", "ws_1"], As(TestServer.PublishKey));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldStartWith("published org:acme workspace.status offset 1");
        var publication = await client.ReceiveAsync();
        publication.Type().ShouldBe("workspace.status");
        publication.GetProperty("data").Str("status").ShouldBe("RUNNING");
        publication.GetProperty("tags").Str("status").ShouldBe("running");
        publication.Str("key").ShouldBe("ws_1");
    }

    [Fact]
    public async Task Publish_FromStandardInput_WithJson_PrintsTheServersAnswer()
    {
        var result = await HeraldProcess.RunAsync(["publish", "org:acme", "build.done", "--json"], As(TestServer.PublishKey), stdin: "{\"ok\":true}\n");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Json.Str("channel").ShouldBe("org:acme");
        result.Json.GetProperty("offset").GetInt64().ShouldBe(1);
    }

    [Fact]
    public async Task Publish_Lines_PublishesEveryLine()
    {
        var result = await HeraldProcess.RunAsync(["publish", "build:acme/b1", "log_entry", "--lines"], As(TestServer.PublishKey), stdin: "{\"line\":1}\n{\"line\":2}\n\n{\"line\":3}\n");

        result.ExitCode.ShouldBe(0, result.ToString());
        var history = await _server.GetJsonAsync("/api/history?channel=build:acme/b1");
        history.GetProperty("publications").GetArrayLength().ShouldBe(3);
    }

    [Theory]
    [InlineData(TestServer.OperationsKey, 4, "lacks the 'publish' scope")]
    [InlineData("not-a-key-0123456789", 4, "the API key is not valid")]
    public async Task Publish_RefusedCredentials_ExitWith4_WithTheServersMessage(string key, int code, string message)
    {
        var result = await HeraldProcess.RunAsync(["publish", "org:acme", "t", "{}"], As(key));

        result.ExitCode.ShouldBe(code, result.ToString());
        result.Stderr.ShouldContain(message);
    }

    [Fact]
    public async Task Publish_UnknownNamespace_ExitsWith6_WithTheServersMessage()
    {
        var result = await HeraldProcess.RunAsync(["publish", "nope:acme", "t", "{}"], As(TestServer.PublishKey));

        result.ExitCode.ShouldBe(6, result.ToString());
        result.Stderr.ShouldContain("namespace 'nope' is not configured");
    }

    [Fact]
    public async Task AnyVerb_AgainstNoServer_ExitsWith3()
    {
        var result = await HeraldProcess.RunAsync(["publish", "org:acme", "t", "{}", "--url", $"http://127.0.0.1:{Ports.Free()}", "--api-key", "k"]);

        result.ExitCode.ShouldBe(3, result.ToString());
        result.Stderr.ShouldContain("cannot reach the server");
    }

    [Fact]
    public async Task History_PrintsAPublicationPerLine_AndJson_AndPagesWithAll()
    {
        for (var i = 1; i <= 5; i++)
        {
            (await _server.PublishAsync("build:acme/h", "step", new { i })).EnsureSuccessStatusCode();
        }

        var lines = await HeraldProcess.RunAsync(["history", "build:acme/h", "--limit", "2"], As(TestServer.AdminKey));
        var all = await HeraldProcess.RunAsync(["history", "build:acme/h", "--since", "0", "--limit", "2", "--all", "--json"], As(token: TestTokens.Hs256("u_1", "acme")));

        lines.ExitCode.ShouldBe(0, lines.ToString());
        lines.Stdout.Trim().Split('\n').Length.ShouldBe(2);
        lines.Stdout.ShouldContain("#5  step  {\"i\":5}");
        all.ExitCode.ShouldBe(0, all.ToString());
        all.JsonLines.Select(p => p.GetProperty("offset").GetInt64()).ShouldBe([1, 2, 3, 4, 5]);
    }

    [Fact]
    public async Task History_AnotherOrganisationsChannel_ExitsWith4()
    {
        var result = await HeraldProcess.RunAsync(["history", "org:globex"], As(token: TestTokens.Hs256("u_1", "acme")));

        result.ExitCode.ShouldBe(4, result.ToString());
        result.Stderr.ShouldContain("permission denied for channel 'org:globex'");
    }

    [Fact]
    public async Task Presence_ListsTheUsers_PlainAndJson()
    {
        await using var alice = await _server.ConnectUserAsync("alice", "acme");
        (await alice.RequestAsync("subscribe", "workspace:acme/p", new { info = new { viewing = "logs" } })).Type().ShouldBe("subscribed");

        var plain = await HeraldProcess.RunAsync(["presence", "workspace:acme/p"], As(TestServer.PublishKey));
        var json = await HeraldProcess.RunAsync(["presence", "workspace:acme/p", "--json"], As(TestServer.PublishKey));

        plain.ExitCode.ShouldBe(0, plain.ToString());
        plain.Stdout.ShouldContain("alice");
        plain.Stdout.ShouldContain("viewing");
        json.Json.GetProperty("users")[0].Str("user").ShouldBe("alice");
    }

    [Fact]
    public async Task Stats_WhenNotATerminal_PrintsOnce_AndJson()
    {
        await using var client = await _server.ConnectUserAsync("u_1", "acme");

        var plain = await HeraldProcess.RunAsync(["stats"], As(TestServer.AdminKey));
        var json = await HeraldProcess.RunAsync(["stats", "--json"], As(TestServer.AdminKey));
        var refused = await HeraldProcess.RunAsync(["stats", "--once"], As(TestServer.PublishKey));

        plain.ExitCode.ShouldBe(0, plain.ToString());
        plain.Stdout.ShouldContain("connections");
        json.Json.GetProperty("connections").GetInt64().ShouldBe(1);
        refused.ExitCode.ShouldBe(4);
        refused.Stderr.ShouldContain("lacks the 'admin' scope");
    }

    [Fact]
    public async Task Ops_ListWatchCancelRetry_OnTheDemoHandler()
    {
        var token = TestTokens.Hs256("u_1", "acme");
        var (status, created) = await _server.SendAsync(HttpMethod.Post, "/api/operations",
            new { type = "demo.sleep", resource = "connection:acme/1", parameters = new { seconds = 30 } }, bearer: token);
        status.ShouldBe(System.Net.HttpStatusCode.Accepted, created.ToString());
        var id = created.Str("id");

        var list = await HeraldProcess.RunAsync(["ops", "list", "--org", "acme", "--json"], As(TestServer.OperationsKey));
        list.ExitCode.ShouldBe(0, list.ToString());
        list.Json.GetProperty("items").EnumerateArray().Select(o => o.Str("id")).ShouldContain(id);

        var cancel = await HeraldProcess.RunAsync(["ops", "cancel", id, "--json"], As(token: token));
        cancel.ExitCode.ShouldBe(0, cancel.ToString());
        cancel.Json.GetProperty("cancelRequested").GetBoolean().ShouldBeTrue();

        var watch = await HeraldProcess.RunAsync(["ops", "watch", id, "--interval", "0.2s", "--timeout", "30s"], As(TestServer.OperationsKey));
        watch.ExitCode.ShouldBe(1, watch.ToString());
        watch.Stdout.ShouldContain("cancelled");

        var missing = await HeraldProcess.RunAsync(["ops", "retry", "op_000000000000000000000000"], As(TestServer.OperationsKey));
        missing.ExitCode.ShouldBe(5, missing.ToString());
    }

    [Fact]
    public async Task Notify_SendsToTheInbox_AndPrintsTheId()
    {
        var result = await HeraldProcess.RunAsync(["notify", "--user", "alice", "--title", "Backup done", "--message", "ws_12", "--level", "success", "--data", "{\"ws\":12}"], As(TestServer.PublishKey));

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldStartWith("n_");
        var (status, inbox) = await _server.SendAsync(HttpMethod.Get, "/api/notifications", bearer: TestTokens.Hs256("alice", "acme"));
        status.ShouldBe(System.Net.HttpStatusCode.OK);
        inbox.GetProperty("items")[0].Str("title").ShouldBe("Backup done");
    }

    [Fact]
    public async Task Profile_GivesTheServerAndTheKey()
    {
        var profile = Path.Combine(HeraldProcess.NewHome(), "local.json");
        await File.WriteAllTextAsync(profile, JsonSerializer.Serialize(new { url = _server.BaseUri.ToString(), apiKey = TestServer.PublishKey }));

        var result = await HeraldProcess.RunAsync("publish", "org:acme", "t", "{}", "--profile", profile);

        result.ExitCode.ShouldBe(0, result.ToString());
    }
}
