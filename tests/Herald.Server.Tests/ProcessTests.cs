using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Herald.Server.Tests;

/// <summary>The standalone server as a process: graceful shutdown on SIGTERM, configuration errors, development credentials.</summary>
public sealed partial class ProcessTests
{
    private static readonly Dictionary<string, string> Configured = new()
    {
        ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
        ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
        ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
        ["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish",
        ["Herald__ShutdownTimeoutSeconds"] = "5",
    };

    [Fact]
    public async Task Sigterm_DisconnectsClientsWithShutdown_FinishesInFlightRequests_AndExits()
    {
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], Configured);
        var baseUri = await server.WaitListeningAsync();
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Hs256("u_1", "acme"));
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await socket.ConnectAsync(new Uri($"ws://{baseUri.Authority}/ws"), cts.Token);
        }
        await using var client = new WsClient(socket);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("org:acme")).Type().ShouldBe("subscribed");

        // An HTTP request whose body is only half sent when the signal arrives.
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        var body = new HalfThenRestContent("{\"channel\":\"org:acme\",", "\"type\":\"late\",\"data\":{}}");
        body.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = body };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        var inFlight = http.SendAsync(request);
        await body.FirstHalfSent.WaitAsync(TestServer.Timeout);

        server.Terminate();

        var disconnect = await client.ReceiveAsync();
        disconnect.Type().ShouldBe("disconnect");
        disconnect.Code().ShouldBe(3001);
        disconnect.GetProperty("reconnect").GetBoolean().ShouldBeTrue();
        var (status, description) = await client.WaitForCloseAsync();
        ((int?)status).ShouldBe(3001);
        description.ShouldBe("shutdown");

        body.SendRest();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(20));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        (await server.WaitForExitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0);
    }

    [Fact]
    public async Task InvalidSetting_StopsTheServer_NamingTheSetting()
    {
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0", "--Herald:Limits:MaxFrameBytes=10"], Configured);
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(2);
        server.Stderr.ShouldContain("Herald:Limits:MaxFrameBytes");
    }

    [Fact]
    public async Task InvalidSettingFromEnvironment_NamesTheSetting()
    {
        var environment = new Dictionary<string, string>(Configured) { ["HERALD__AUTH__JWTSECRET"] = "short" };
        environment.Remove("Herald__Auth__JwtSecret");
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0", "--Herald:AllowedOrigins:0=not-an-origin"], environment);
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBe(2);
        server.Stderr.ShouldContain("Herald:Auth:JwtSecret must be at least 32 bytes");
        server.Stderr.ShouldContain("Herald:AllowedOrigins:0");
    }

    [Fact]
    public async Task WithoutCredentials_PrintsWorkingDevelopmentCredentialsOnce()
    {
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"]);
        var baseUri = await server.WaitListeningAsync();
        await TestServer.EventuallyAsync(() => Task.FromResult(ApiKey().IsMatch(server.Stdout)), "the credentials to be printed");
        var output = server.Stdout;
        Regex.Matches(output, "Herald development credentials").Count.ShouldBe(1);
        var token = UserToken().Match(output).Groups[1].Value;
        var apiKey = ApiKey().Match(output).Groups[1].Value;

        var socket = new ClientWebSocket();
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await socket.ConnectAsync(new Uri($"ws://{baseUri.Authority}/ws?token={token}"), cts.Token);
        }
        await using var client = new WsClient(socket);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        (await client.SubscribeAsync("org:dev")).Type().ShouldBe("subscribed");

        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = new StringContent("{\"channel\":\"org:dev\",\"type\":\"hello\",\"data\":{}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-API-Key", apiKey);
        (await http.SendAsync(request)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.ReceiveAsync()).Type().ShouldBe("hello");
    }

    [GeneratedRegex(@"user token \(sub=dev, org=dev, 24 h\) = (\S+)")]
    private static partial Regex UserToken();

    [GeneratedRegex(@"API key \(X-API-Key, scope admin\) = (\S+)")]
    private static partial Regex ApiKey();

    /// <summary>A request body sent in two parts: the second only when the test says so.</summary>
    private sealed class HalfThenRestContent(string first, string rest) : HttpContent
    {
        private readonly TaskCompletionSource _firstSent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _sendRest = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstHalfSent => _firstSent.Task;

        public void SendRest() => _sendRest.TrySetResult();

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first));
            await stream.FlushAsync();
            _firstSent.TrySetResult();
            await _sendRest.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(rest));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = Encoding.UTF8.GetByteCount(first) + Encoding.UTF8.GetByteCount(rest);
            return true;
        }
    }
}

/// <summary>JSON console logs (one object per line, for log shippers), and no secret in them even at Trace.</summary>
public sealed class JsonLogTests
{
    [Fact]
    public async Task JsonConsoleLogs_AreOneObjectPerLine_AndCarryNoSecret()
    {
        const string adminKey = "admin-key-for-json-logs-0123456789";
        var environment = new Dictionary<string, string>
        {
            ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
            ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
            ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
            ["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish",
            ["Herald__Auth__ApiKeys__1__Name"] = "admin",
            ["Herald__Auth__ApiKeys__1__Key"] = adminKey,
            ["Herald__Auth__ApiKeys__1__Scopes__0"] = "admin",
            ["Logging__Console__FormatterName"] = "json",
            ["Logging__LogLevel__Default"] = "Trace",
        };
        await using var server = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], environment);
        var baseUri = await server.WaitListeningAsync();
        var token = TestTokens.Hs256("u_json", "acme");
        await using (var client = await WsClient.ConnectUserAsync(baseUri, "u_json"))
        {
            await client.SubscribeAsync("org:acme");
            using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
            using var publish = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = System.Net.Http.Json.JsonContent.Create(new { channel = "org:acme", type = "x", data = new { } }) };
            publish.Headers.Add("X-API-Key", TestServer.PublishKey);
            (await http.SendAsync(publish)).EnsureSuccessStatusCode();
            await client.ReceiveAsync();
            using var stats = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
            stats.Headers.Add("X-API-Key", adminKey);
            (await http.SendAsync(stats)).EnsureSuccessStatusCode();
            // A refused token and a refused key are logged too.
            (await client.RequestAsync("refresh", null, new { token = token[..^4] + "AAAA" })).Type().ShouldBe("error");
            using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/stats");
            bad.Headers.Add("X-API-Key", adminKey + "x");
            (await http.SendAsync(bad)).StatusCode.ShouldBe(System.Net.HttpStatusCode.Unauthorized);
        }
        server.Terminate();
        (await server.WaitForExitAsync(TimeSpan.FromSeconds(20))).ShouldBe(0);

        var lines = server.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        lines.Length.ShouldBeGreaterThan(10);
        foreach (var line in lines)
        {
            var entry = JsonDocument.Parse(line).RootElement;
            entry.GetProperty("LogLevel").GetString().ShouldNotBeNullOrEmpty(line);
            entry.GetProperty("Category").GetString().ShouldNotBeNullOrEmpty(line);
        }
        lines.ShouldContain(l => l.Contains("Herald.", StringComparison.Ordinal) && l.Contains("\"LogLevel\":\"Trace\"", StringComparison.Ordinal));
        foreach (var secret in new[] { TestTokens.Secret, TestServer.PublishKey, adminKey, token, token.Split('.')[2] })
        {
            server.Stdout.ShouldNotContain(secret);
            server.Stderr.ShouldNotContain(secret);
        }
    }
}
