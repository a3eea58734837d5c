using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Herald.Server.Tests;

/// <summary>
/// The send-queue byte bound counts every frame, recovered publications of a subscribe answer
/// included. The clients here stop reading, with a small receive buffer, and the recovery is many
/// times larger than what the loopback socket can hold: the bound, not timing, decides the outcome.
/// </summary>
public sealed class SendQueueTests
{
    private const string Channel = "build:acme/big";
    private const int Publications = 30;
    private const int PayloadBytes = 600_000;

    private static Task<TestServer> StartAsync() => TestServer.StartAsync(new Dictionary<string, string?>
    {
        // Less than two recovered publications fit in the queue.
        ["Herald:Limits:MaxSendQueueBytes"] = "1000000",
        ["Herald:Limits:MaxPublishBytes"] = "1048576",
        ["Herald:Limits:WriteTimeoutSeconds"] = "3600",
        ["Herald:Namespaces:build:HistorySize"] = "100",
    });

    /// <summary>Publishes the history to recover; returns the epoch of the channel's stream.</summary>
    private static async Task<string> FillHistoryAsync(TestServer server)
    {
        await using var reader = await server.ConnectUserAsync("reader", "acme");
        var subscribed = await reader.SubscribeAsync(Channel);
        var payload = new string('x', PayloadBytes);
        for (var n = 0; n < Publications; n++)
        {
            (await server.PublishAsync(Channel, "chunk", new { n, payload })).EnsureSuccessStatusCode();
        }
        return subscribed.Str("epoch");
    }

    /// <summary>Sockets with a small fixed receive buffer (no autotuning), so a client that stops reading holds little.</summary>
    private static SocketsHttpHandler SmallBufferHandler() => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = 16 * 1024 };
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>
    /// Waits for the cut. Recovering 18 MB of history takes seconds when the test projects share
    /// the machine's cores, so the wait is longer than the usual timeout; it ends at the cut.
    /// </summary>
    private static async Task WaitForSlowConsumerAsync(TestServer server)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while ((await server.GetJsonAsync("/api/stats")).GetProperty("slowConsumers").GetInt64() != 1)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for the slow consumer");
            }
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task Sse_RecoveringMorePublicationsThanTheQueueHolds_CutsTheClientAsSlowConsumer()
    {
        await using var server = await StartAsync();
        var epoch = await FillHistoryAsync(server);

        using var http = new HttpClient(SmallBufferHandler()) { BaseAddress = server.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sse?channel=" + Uri.EscapeDataString(Channel));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.Hs256("slow", "acme"));
        request.Headers.Add("Last-Event-ID", $"{epoch}:0");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);

        // Not reading: the recovery overflows the queue while the socket is full.
        await WaitForSlowConsumerAsync(server);

        // Reading again: what was already in flight, then the slow-consumer disconnect, then the end.
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token), Encoding.UTF8);
        var delivered = 0;
        string? disconnect = null;
        string? eventName = null;
        while (await reader.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventName = line[7..];
                delivered += eventName == "chunk" ? 1 : 0;
            }
            else if (eventName == "disconnect" && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                disconnect = line[6..];
            }
        }
        delivered.ShouldBeLessThan(Publications);
        disconnect.ShouldNotBeNull();
        var frame = JsonDocument.Parse(disconnect).RootElement;
        frame.Code().ShouldBe(3008);
        frame.Str("reason").ShouldBe("slow consumer");
        (await server.GetJsonAsync("/api/stats")).GetProperty("dropped").GetInt64().ShouldBeGreaterThanOrEqualTo(1);
    }
}
