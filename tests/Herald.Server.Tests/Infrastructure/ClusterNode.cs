using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>One node of a cluster on PostgreSQL: the standalone server as its own process, with the cluster's connection string.</summary>
public sealed class ClusterNode : IAsyncDisposable
{
    private ClusterNode(ServerProcess process, Uri baseUri, string name)
    {
        Process = process;
        BaseUri = baseUri;
        Name = name;
        Http = new HttpClient { BaseAddress = baseUri, Timeout = TestServer.Timeout };
    }

    public ServerProcess Process { get; }

    public Uri BaseUri { get; }

    public string Name { get; }

    public HttpClient Http { get; }

    /// <summary>The settings every node of a test cluster shares: auth, the PostgreSQL storage, and room for a few hundred publications in history.</summary>
    public static Dictionary<string, string> Environment(string connectionString, string name) => new()
    {
        ["Herald__NodeName"] = name,
        ["Herald__Auth__JwtSecret"] = TestTokens.Secret,
        ["Herald__Auth__ApiKeys__0__Name"] = "publisher",
        ["Herald__Auth__ApiKeys__0__Key"] = TestServer.PublishKey,
        ["Herald__Auth__ApiKeys__0__Scopes__0"] = "publish",
        ["Herald__Auth__ApiKeys__0__Scopes__1"] = "operations",
        ["Herald__Auth__ApiKeys__0__Scopes__2"] = "admin",
        ["Herald__Storage__Provider"] = "Postgres",
        ["Herald__Storage__PostgresConnectionString"] = connectionString,
        ["Herald__Namespaces__build__HistorySize"] = "10000",
        ["Herald__Limits__MaxSendQueueMessages"] = "100000",
    };

    public static async Task<ClusterNode> StartAsync(string connectionString, string name, IDictionary<string, string>? extra = null)
    {
        var environment = Environment(connectionString, name);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }
        var process = ServerProcess.Start(["--urls", "http://127.0.0.1:0"], environment);
        try
        {
            var baseUri = await process.WaitListeningAsync();
            return new ClusterNode(process, baseUri, name);
        }
        catch
        {
            var stderr = process.Stderr;
            await process.DisposeAsync();
            throw new InvalidOperationException($"node {name} did not start: {stderr}");
        }
    }

    /// <summary>A WebSocket client of user <paramref name="user"/> (organisation acme) on this node, past its <c>connected</c> frame.</summary>
    public async Task<WsClient> ConnectAsync(string user = "u_1")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Hs256(user, "acme"));
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await socket.ConnectAsync(new Uri($"ws://{BaseUri.Authority}/ws"), cts.Token);
        var client = new WsClient(socket) { AutoPong = true };
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        return client;
    }

    /// <summary>Publishes over the HTTP API; returns the answer's status and, on success, the offset.</summary>
    public async Task<(HttpStatusCode Status, long Offset, string? Id)> PublishAsync(string channel, object data, string type = "test.event")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/publish") { Content = JsonContent.Create(new { channel, type, data }) };
        request.Headers.Add("X-API-Key", TestServer.PublishKey);
        using var response = await Http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, 0, null);
        }
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return (response.StatusCode, body.TryGetProperty("offset", out var offset) && offset.ValueKind == JsonValueKind.Number ? offset.GetInt64() : 0, body.TryGetProperty("id", out var id) ? id.GetString() : null);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Process.DisposeAsync();
    }
}
