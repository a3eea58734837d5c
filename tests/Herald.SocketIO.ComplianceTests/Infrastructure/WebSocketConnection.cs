using System.Threading.Channels;

namespace Herald.SocketIO.ComplianceTests.Infrastructure;

/// <summary>One WebSocket message as received: a text frame or a binary frame.</summary>
public sealed record WebSocketMessage(WebSocketMessageType Type, byte[] Data)
{
    public bool IsText => Type == WebSocketMessageType.Text;

    public string Text => IsText ? Encoding.UTF8.GetString(Data) : throw new ShouldAssertException($"expected a text frame, got a binary frame of {Data.Length} bytes");

    public override string ToString() => IsText ? $"text \"{Text}\"" : $"binary [{string.Join(", ", Data)}]";
}

/// <summary>
/// The browser <c>WebSocket</c> the suites use, over <see cref="ClientWebSocket"/>: a background
/// loop reads every frame into a queue, so each message is kept in order and none is missed
/// between two waits, and records when the connection closes. Every wait is bounded.
/// </summary>
public sealed class WebSocketConnection : IAsyncDisposable
{
    /// <summary>How long a wait for the next message lasts before the case fails.</summary>
    public static readonly TimeSpan ReceiveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a wait for the server to close lasts: generous, it is no speed assertion.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly ClientWebSocket _socket;
    private readonly Channel<WebSocketMessage> _messages = Channel.CreateUnbounded<WebSocketMessage>();
    private readonly TaskCompletionSource<string> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Task _reader;

    private WebSocketConnection(ClientWebSocket socket)
    {
        _socket = socket;
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Opens the connection (the <c>open</c> event).</summary>
    public static async Task<WebSocketConnection> ConnectAsync(Uri uri)
    {
        var socket = new ClientWebSocket();
        using var cts = new CancellationTokenSource(ReceiveTimeout);
        try
        {
            await socket.ConnectAsync(uri, cts.Token);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return new WebSocketConnection(socket);
    }

    /// <summary>
    /// Opens a WebSocket the server must refuse: returns the HTTP status of the refused handshake.
    /// Fails when the connection opens.
    /// </summary>
    public static async Task<HttpStatusCode> ConnectRefusedAsync(Uri uri)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        using var cts = new CancellationTokenSource(ReceiveTimeout);
        try
        {
            await socket.ConnectAsync(uri, cts.Token);
        }
        catch (WebSocketException)
        {
            socket.State.ShouldNotBe(WebSocketState.Open);
            return socket.HttpStatusCode;
        }
        socket.Abort();
        throw new ShouldAssertException($"the WebSocket handshake to {uri} succeeded; the server should have refused it");
    }

    /// <summary>
    /// The suites' <c>new WebSocket(url)</c> then <c>waitFor(socket, "close")</c>: passes whether
    /// the server refuses the handshake or accepts it and then closes the connection.
    /// </summary>
    public static async Task ConnectAndWaitForCloseAsync(Uri uri)
    {
        WebSocketConnection connection;
        try
        {
            connection = await ConnectAsync(uri);
        }
        catch (WebSocketException)
        {
            return;
        }
        await using (connection)
        {
            await connection.WaitForCloseAsync();
        }
    }

    /// <summary>True once the read loop saw the connection end.</summary>
    public bool IsClosed => _closed.Task.IsCompleted;

    /// <summary>The next message, whatever it is (the suites' <c>waitFor(socket, "message")</c>: pings included).</summary>
    public async Task<WebSocketMessage> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReceiveTimeout);
        try
        {
            return await _messages.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no WebSocket message arrived within {(timeout ?? ReceiveTimeout).TotalSeconds} s");
        }
        catch (ChannelClosedException)
        {
            throw new ShouldAssertException($"the connection closed before a message arrived ({await _closed.Task})");
        }
    }

    /// <summary>The next message, which must be a text frame.</summary>
    public async Task<string> ReceiveTextAsync() => (await ReceiveAsync()).Text;

    /// <summary>The suites' <c>waitForPackets(socket, count)</c>: the next <paramref name="count"/> messages, skipping <c>2</c> pings.</summary>
    public async Task<IReadOnlyList<WebSocketMessage>> ReceivePacketsAsync(int count)
    {
        var packets = new List<WebSocketMessage>();
        while (packets.Count < count)
        {
            var message = await ReceiveAsync();
            if (message.IsText && message.Text == "2")
            {
                continue;
            }
            packets.Add(message);
        }
        return packets;
    }

    /// <summary>The suites' <c>waitFor(socket, "close")</c>: waits until the connection ends, however it ends.</summary>
    public async Task WaitForCloseAsync(TimeSpan? timeout = null)
    {
        try
        {
            await _closed.Task.WaitAsync(timeout ?? CloseTimeout);
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException($"the server did not close the connection within {(timeout ?? CloseTimeout).TotalSeconds} s");
        }
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendBinaryAsync(params byte[] bytes) => SendAsync(bytes, WebSocketMessageType.Binary);

    private async Task SendAsync(byte[] bytes, WebSocketMessageType type)
    {
        using var cts = new CancellationTokenSource(ReceiveTimeout);
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
                    _closed.TrySetResult($"close frame {(int?)result.CloseStatus} {result.CloseStatusDescription}");
                    if (_socket.State == WebSocketState.CloseReceived)
                    {
                        using var cts = new CancellationTokenSource(ReceiveTimeout);
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
                _messages.Writer.TryWrite(new WebSocketMessage(result.MessageType, message.ToArray()));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
            _closed.TrySetResult($"connection ended: {ex.Message}");
        }
        finally
        {
            _closed.TrySetResult("connection ended");
            _messages.Writer.TryComplete();
        }
    }

    /// <summary>The suites' <c>socket.close()</c>, bounded; then the socket is released.</summary>
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
        await _reader.WaitAsync(CloseTimeout).ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
