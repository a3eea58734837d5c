using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>The real standalone server, started in-process on a loopback port with test settings.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public const string AdminKey = "admin-key-0123456789";
    public const string PublishKey = "publish-key-0123456789";
    public const string OperationsKey = "operations-key-0123456789";
    public const string AllowedOrigin = "https://app.example.com";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly WebApplication _app;

    private TestServer(WebApplication app, Uri baseUri, CapturingLoggerProvider logs)
    {
        _app = app;
        BaseUri = baseUri;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout };
    }

    public Uri BaseUri { get; }

    public HttpClient Http { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    public Uri WebSocketUri(string? query = null) =>
        new($"ws://{BaseUri.Authority}/ws{(query is null ? "" : "?" + query)}");

    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Herald:Auth:JwtSecret"] = TestTokens.Secret,
            ["Herald:Auth:ApiKeys:0:Name"] = "admin",
            ["Herald:Auth:ApiKeys:0:Key"] = AdminKey,
            ["Herald:Auth:ApiKeys:0:Scopes:0"] = "admin",
            ["Herald:Auth:ApiKeys:1:Name"] = "publisher",
            ["Herald:Auth:ApiKeys:1:Key"] = PublishKey,
            ["Herald:Auth:ApiKeys:1:Scopes:0"] = "publish",
            ["Herald:Auth:ApiKeys:2:Name"] = "worker",
            ["Herald:Auth:ApiKeys:2:Key"] = OperationsKey,
            ["Herald:Auth:ApiKeys:2:Scopes:0"] = "operations",
            ["Herald:AllowedOrigins:0"] = AllowedOrigin,
            ["Herald:Heartbeat:IntervalSeconds"] = "300",
            ["Herald:Heartbeat:TimeoutSeconds"] = "300",
            ["Herald:ShutdownTimeoutSeconds"] = "5",
            ["Herald:Storage:Provider"] = "Memory",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var logs = new CapturingLoggerProvider();
        var app = HeraldServer.Build(["--urls", "http://127.0.0.1:0"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFilter((_, _) => true);
            builder.Logging.AddProvider(logs);
            services?.Invoke(builder.Services);
        }, TextWriter.Null);
        using var cts = new CancellationTokenSource(Timeout);
        await app.StartAsync(cts.Token);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, new Uri(address), logs);
    }

    /// <summary>
    /// Opens a WebSocket; the token goes in the Authorization header unless <paramref name="tokenInQuery"/>,
    /// a service's <paramref name="apiKey"/> in the X-API-Key header.
    /// </summary>
    public async Task<WsClient> ConnectAsync(string? token = null, bool tokenInQuery = false, string? origin = null, string? apiKey = null)
    {
        var socket = new ClientWebSocket();
        if (apiKey is not null)
        {
            socket.Options.SetRequestHeader("X-API-Key", apiKey);
        }
        if (token is not null && !tokenInQuery)
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }
        if (origin is not null)
        {
            socket.Options.SetRequestHeader("Origin", origin);
        }
        using var cts = new CancellationTokenSource(Timeout);
        await socket.ConnectAsync(WebSocketUri(token is not null && tokenInQuery ? "token=" + Uri.EscapeDataString(token) : null), cts.Token);
        return new WsClient(socket);
    }

    /// <summary>Connects with a token and waits for <c>connected</c>.</summary>
    public async Task<WsClient> ConnectUserAsync(string user, string org)
    {
        var client = await ConnectAsync(TestTokens.Hs256(user, org));
        var connected = await client.ReceiveAsync();
        connected.Type().ShouldBe("connected");
        return client;
    }

    public Task<HttpResponseMessage> PublishAsync(string channel, string type, object data, object? tags = null, string? key = null, string apiKey = PublishKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish")
        {
            Content = JsonContent.Create(new { channel, type, data, tags, key }),
        };
        request.Headers.Add("X-API-Key", apiKey);
        return Http.SendAsync(request);
    }

    /// <summary>Sends a request with a JSON body (or none), as a user (bearer) or a backend (API key); returns status and parsed body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string path, object? body = null, string? bearer = null, string? apiKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body is string text
                ? new StringContent(text, System.Text.Encoding.UTF8, "application/json")
                : JsonContent.Create(body);
        }
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }
        if (apiKey is not null)
        {
            request.Headers.Add("X-API-Key", apiKey);
        }
        using var response = await Http.SendAsync(request);
        var content = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, content.Length == 0 ? default : JsonDocument.Parse(content).RootElement.Clone());
    }

    public async Task<JsonElement> GetJsonAsync(string path, string apiKey = AdminKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("X-API-Key", apiKey);
        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Polls a condition on the server until it holds, failing after the timeout.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        using var cts = new CancellationTokenSource(Timeout);
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every log line the server writes, to check what never appears in them.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
