using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;

namespace Herald.Server.Tests;

/// <summary>
/// The standalone server on a SQLite file whose disk fills up mid-run: a size-limited file system
/// (a tmpfs of a few MiB, mounted by the test, which runs as root as the test command does).
/// Publishes and other writes answer 503 (or error 118 on a socket) and store nothing, readiness
/// says so, and everything works again by itself once space is freed.
/// </summary>
public sealed class StorageFaultTests : IAsyncLifetime
{
    private readonly string _mount = Path.Combine(Path.GetTempPath(), $"herald-fs-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", _mount);
    }

    public async Task DisposeAsync()
    {
        await RunAsync("umount", "-l", _mount);
        Directory.Delete(_mount, recursive: true);
    }

    private static async Task RunAsync(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TestServer.Timeout);
        process.ExitCode.ShouldBe(0, $"{command} {string.Join(' ', args)} (the test needs root for a size-limited file system): {error}");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body, HttpResponseMessage Response)> PublishAsync(HttpClient http, int n)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = JsonContent.Create(new { channel = "build:acme/disk", type = "line", data = new { n, text = new string('x', 2000) } }) };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    [Fact]
    public async Task FullDisk_Answers503AndStoresNothing_ReadinessSaysSo_AndTheServerRecoversWhenSpaceIsFreed()
    {
        var environment = new Dictionary<string, string>
        {
            ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
            ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
            ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
            ["Herald__Auth__ApiKeys__0__Scopes__0"] = "admin",
            ["Herald__Storage__SqlitePath"] = Path.Combine(_mount, "herald.db"),
            ["Herald__Namespaces__chat__AllowPublish"] = "true",
            ["Herald__Namespaces__chat__HistorySize"] = "100",
            ["Herald__Namespaces__chat__Scope"] = "Public",
        };
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], environment);
        var baseUri = await server.WaitListeningAsync();
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
        var (status, first, _) = await PublishAsync(http, 1);
        status.ShouldBe(HttpStatusCode.OK);
        await using var client = await WsClient.ConnectUserAsync(baseUri);

        // Fill the file system to the last byte.
        var filler = Path.Combine(_mount, "filler");
        await using (var fill = File.Create(filler))
        {
            var chunk = new byte[64 * 1024];
            try
            {
                while (true)
                {
                    fill.Write(chunk);
                    fill.Flush();
                }
            }
            catch (IOException)
            {
            }
        }

        for (var i = 0; i < 3; i++)
        {
            var (failed, problem, response) = await PublishAsync(http, 100 + i);
            failed.ShouldBe(HttpStatusCode.ServiceUnavailable, problem.GetRawText());
            problem.GetProperty("code").GetInt32().ShouldBe(118);
            problem.Str("detail").ShouldContain("the disk is full");
            response.Headers.RetryAfter.ShouldNotBeNull();
        }
        var answer = await client.RequestAsync("publish", "chat:room", new { @event = "chat.message", data = new { text = new string('y', 4000) } });
        answer.Type().ShouldBe("error", answer.GetRawText());
        answer.Code().ShouldBe(118);
        using (var op = new HttpRequestMessage(HttpMethod.Post, "/api/operations") { Content = JsonContent.Create(new { type = "service.restart", resource = "connection:acme/7", org = "acme" }) })
        {
            op.Headers.Add("X-API-Key", TestServer.PublishKey);
            using var created = await http.SendAsync(op);
            created.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }
        using (var ready = await http.GetAsync("/ready"))
        {
            ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        }
        // The session that got the error goes on.
        (await client.RequestAsync("ping")).Type().ShouldBe("pong");

        File.Delete(filler);
        await TestServer.EventuallyAsync(async () =>
        {
            using var ready = await http.GetAsync("/ready");
            return ready.StatusCode == HttpStatusCode.OK;
        }, "readiness after space was freed");
        var (again, next, _) = await PublishAsync(http, 2);
        again.ShouldBe(HttpStatusCode.OK, next.GetRawText());
        // The failed publishes took no offset: the stream goes on right after the last stored one.
        next.GetProperty("offset").GetInt64().ShouldBe(first.GetProperty("offset").GetInt64() + 1);
        next.Str("epoch").ShouldBe(first.Str("epoch"));
        server.Stdout.ShouldNotContain("An unhandled exception");
    }
}
