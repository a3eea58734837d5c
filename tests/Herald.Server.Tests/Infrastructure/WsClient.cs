using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// A test WebSocket client. A background loop reads every frame into a queue, so that waiting for
/// a frame with a timeout never aborts the socket, and records the close status.
/// </summary>
public sealed class WsClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<JsonElement> _frames = Channel.CreateUnbounded<JsonElement>();
    private readonly TaskCompletionSource<(WebSocketCloseStatus? Status, string? Description)> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private int _nextId;

    /// <summary>Answer the server's heartbeat pings, as a real client does (off by default so tests can play a silent peer).</summary>
    public bool AutoPong { get; set; }

    public WsClient(ClientWebSocket socket, bool startReading = true)
    {
        _socket = socket;
        _reader = startReading ? ReadLoopAsync() : Task.CompletedTask;
    }

    public ClientWebSocket Socket => _socket;

    /// <summary>Opens <c>/ws</c> of a server (a process, or any base address) as a user, and waits for <c>connected</c>.</summary>
    public static async Task<WsClient> ConnectUserAsync(Uri baseUri, string user = "u_1", string org = "acme")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + TestTokens.Hs256(user, org));
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await socket.ConnectAsync(new Uri($"ws://{baseUri.Authority}/ws"), cts.Token);
        }
        var client = new WsClient(socket);
        (await client.ReceiveAsync()).Type().ShouldBe("connected");
        return client;
    }

    /// <summary>Frames received, in order, excluding server pings unless <paramref name="includePings"/>.</summary>
    public async Task<JsonElement> ReceiveAsync(TimeSpan? timeout = null, bool includePings = false)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestServer.Timeout);
        while (true)
        {
            JsonElement frame;
            try
            {
                frame = await _frames.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no frame arrived in time");
            }
            catch (ChannelClosedException)
            {
                throw new InvalidOperationException("the connection closed before a frame arrived");
            }
            if (!includePings && frame.Type() == "ping")
            {
                continue;
            }
            return frame;
        }
    }

    /// <summary>Skips frames until one matches.</summary>
    public async Task<JsonElement> ReceiveUntilAsync(Func<JsonElement, bool> predicate)
    {
        while (true)
        {
            var frame = await ReceiveAsync();
            if (predicate(frame))
            {
                return frame;
            }
        }
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await _sendLock.WaitAsync(cts.Token);
        try
        {
            await _socket.SendAsync(bytes, type, true, cts.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task SendJsonAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message));

    /// <summary>Sends a request with a fresh id and waits for the answer carrying that id.</summary>
    public async Task<JsonElement> RequestAsync(string type, string? channel = null, object? extra = null)
    {
        var id = "r" + Interlocked.Increment(ref _nextId);
        var message = new Dictionary<string, object?> { ["type"] = type, ["id"] = id };
        if (channel is not null)
        {
            message["channel"] = channel;
        }
        if (extra is not null)
        {
            foreach (var property in JsonSerializer.SerializeToElement(extra).EnumerateObject())
            {
                message[property.Name] = property.Value;
            }
        }
        await SendJsonAsync(message);
        return await ReceiveUntilAsync(f => f.TryGetProperty("id", out var i) && i.ValueKind == JsonValueKind.String && i.GetString() == id);
    }

    public Task<JsonElement> SubscribeAsync(string channel, object? filters = null) =>
        RequestAsync("subscribe", channel, filters is null ? null : new { filters });

    /// <summary>Waits for the server to close the connection; returns its close status and description.</summary>
    public async Task<(WebSocketCloseStatus? Status, string? Description)> WaitForCloseAsync(TimeSpan? timeout = null) =>
        await _closed.Task.WaitAsync(timeout ?? TestServer.Timeout);

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult((result.CloseStatus, result.CloseStatusDescription));
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        using var cts = new CancellationTokenSource(TestServer.Timeout);
                        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                    }
                    return;
                }
                var frame = JsonDocument.Parse(buffer.AsMemory(0, count).ToArray()).RootElement.Clone();
                if (AutoPong && frame.Type() == "ping")
                {
                    _ = SendTextAsync("{\"type\":\"pong\"}");
                }
                _frames.Writer.TryWrite(frame);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            _closed.TrySetResult((null, ex.Message));
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }
        }
        _socket.Abort();
        await _reader.WaitAsync(TestServer.Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
    }
}

public static class JsonElementExtensions
{
    public static string? Type(this JsonElement frame) =>
        frame.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String ? type.GetString() : null;

    public static int Code(this JsonElement frame) => frame.GetProperty("code").GetInt32();

    public static string Str(this JsonElement frame, string name) => frame.GetProperty(name).GetString()!;
}
