using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;

namespace Herald.Server.Tests.Infrastructure;

/// <summary>
/// A raw Socket.IO v5 client over an Engine.IO v4 WebSocket session, for tests that must send
/// exactly the bytes they mean (wrong types, deep nesting) rather than what a real client would
/// serialize. A background loop reads every message into a queue, answers the server's pings and
/// records how the session ended; every wait is bounded by <see cref="TestServer.Timeout"/>.
/// </summary>
public sealed class SocketIOTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Channel<string> _packets = Channel.CreateUnbounded<string>();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _reader;
    private int _nextAckId;

    private SocketIOTestClient(ClientWebSocket socket)
    {
        _socket = socket;
        _reader = ReadLoopAsync();
    }

    /// <summary>The Engine.IO open packet's JSON (<c>sid</c>, <c>pingInterval</c> …).</summary>
    public JsonElement Handshake { get; private set; }

    /// <summary>True until the session's WebSocket has ended, however it ended.</summary>
    public bool IsOpen => !_closed.Task.IsCompleted && _socket.State == WebSocketState.Open;

    /// <summary>How the session ended ("close frame 1000 …", "connection ended: …"), or null while it is open.</summary>
    public string? CloseReason => _closed.Task.IsCompleted ? _closed.Task.Result : null;

    /// <summary>Opens <c>/socket.io/?EIO=4&amp;transport=websocket</c> (with <c>&amp;token=</c> when given) and reads the open packet.</summary>
    public static async Task<SocketIOTestClient> OpenAsync(TestServer server, string? queryToken = null)
    {
        var uri = new Uri($"ws://{server.BaseUri.Authority}/socket.io/?EIO=4&transport=websocket"
            + (queryToken is null ? "" : "&token=" + Uri.EscapeDataString(queryToken)));
        var socket = new ClientWebSocket();
        using (var cts = new CancellationTokenSource(TestServer.Timeout))
        {
            await socket.ConnectAsync(uri, cts.Token);
        }
        var client = new SocketIOTestClient(socket);
        var open = await client.ReceiveAsync();
        open.ShouldStartWith("0");
        client.Handshake = JsonDocument.Parse(open[1..]).RootElement.Clone();
        return client;
    }

    /// <summary>Opens a session and connects the main namespace with the token as <c>auth.token</c>.</summary>
    public static async Task<SocketIOTestClient> ConnectUserAsync(TestServer server, string user, string org)
    {
        var client = await OpenAsync(server);
        var answer = await client.ConnectNamespaceAsync(JsonSerializer.Serialize(new { token = TestTokens.Hs256(user, org) }));
        answer.ShouldStartWith("40{");
        return client;
    }

    /// <summary>Sends <c>40</c> with the given auth JSON (raw) and returns the server's <c>40…</c> or <c>44…</c> answer.</summary>
    public async Task<string> ConnectNamespaceAsync(string? authJson)
    {
        await SendAsync("40" + authJson);
        while (true)
        {
            var packet = await ReceiveAsync();
            if (packet.StartsWith("40", StringComparison.Ordinal) || packet.StartsWith("44", StringComparison.Ordinal))
            {
                return packet;
            }
        }
    }

    /// <summary>A fresh ack id for an event.</summary>
    public int NextAckId() => Interlocked.Increment(ref _nextAckId);

    /// <summary>Emits <c>42&lt;ack&gt;["event",argument]</c> with the argument as raw JSON and returns the ack's first argument.</summary>
    public async Task<JsonElement> EmitWithAckAsync(string eventName, string argumentJson)
    {
        var ackId = NextAckId();
        await SendAsync($"42{ackId}[{JsonSerializer.Serialize(eventName)},{argumentJson}]");
        return await WaitForAckAsync(ackId);
    }

    /// <summary>Skips packets until the ack <c>43&lt;ackId&gt;[…]</c> arrives; returns its first argument.</summary>
    public async Task<JsonElement> WaitForAckAsync(int ackId)
    {
        var prefix = "43" + ackId.ToString(CultureInfo.InvariantCulture) + "[";
        while (true)
        {
            var packet = await ReceiveAsync();
            if (packet.StartsWith(prefix, StringComparison.Ordinal))
            {
                var arguments = JsonDocument.Parse(packet[(prefix.Length - 1)..]).RootElement;
                return arguments.GetArrayLength() > 0 ? arguments[0].Clone() : default;
            }
        }
    }

    /// <summary>The next text packet, skipping (and answering) the server's <c>2</c> pings.</summary>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestServer.Timeout);
        while (true)
        {
            string packet;
            try
            {
                packet = await _packets.Reader.ReadAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("no Socket.IO packet arrived in time");
            }
            catch (ChannelClosedException)
            {
                throw new InvalidOperationException($"the Engine.IO session ended before a packet arrived ({await _closed.Task})");
            }
            if (packet == "2")
            {
                await SendAsync("3");
                continue;
            }
            return packet;
        }
    }

    public async Task SendAsync(string packet)
    {
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await _sendLock.WaitAsync(cts.Token);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(packet), WebSocketMessageType.Text, true, cts.Token);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    _closed.TrySetResult($"close frame {(int?)result.CloseStatus} {result.CloseStatusDescription}".TrimEnd());
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        using var cts = new CancellationTokenSource(TestServer.Timeout);
                        await _sendLock.WaitAsync(cts.Token);
                        try
                        {
                            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                        }
                        finally
                        {
                            _sendLock.Release();
                        }
                    }
                    return;
                }
                // Binary attachments are not used by these tests; keep their place so the order stays visible.
                _packets.Writer.TryWrite(result.MessageType == WebSocketMessageType.Text
                    ? Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length)
                    : $"<binary {message.Length} bytes>");
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult($"connection ended: {ex.Message}");
        }
        finally
        {
            _closed.TrySetResult("connection ended");
            _packets.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _sendLock.WaitAsync(cts.Token);
                try
                {
                    await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                }
                finally
                {
                    _sendLock.Release();
                }
                await _closed.Task.WaitAsync(cts.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
            }
        }
        _socket.Abort();
        await _reader.WaitAsync(TestServer.Timeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
