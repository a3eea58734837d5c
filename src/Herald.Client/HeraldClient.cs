using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Herald.Client.Internal;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Presence;

namespace Herald.Client;

/// <summary>
/// A connection to Herald over the native WebSocket protocol, kept open: it authenticates with a
/// token, a token provider or an API key, refreshes the token in band before it expires (and on
/// <c>token_expired</c>), and reconnects with exponential backoff and full jitter
/// (<see cref="HeraldClientOptions.MinReconnectDelay"/> doubling up to
/// <see cref="HeraldClientOptions.MaxReconnectDelay"/>), or after the server's
/// <c>reconnectDelay</c> when it gives one. A disconnect with <c>reconnect:false</c> (codes
/// 3500–3999) or refused credentials close it for good. Subscriptions survive reconnects and
/// resubscribe from the last publication delivered.
/// </summary>
/// <remarks>Thread-safe. Events are raised on the client's receive loop: handlers must not block.</remarks>
public sealed class HeraldClient : IAsyncDisposable
{
    private readonly HeraldClientOptions _options;
    private readonly Uri _socketUri;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, HeraldSubscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly System.Threading.Channels.Channel<Publication> _all;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ClientWebSocket? _socket;
    private Task? _loop;
    private long _nextId;
    private string? _token;

    public HeraldClient(HeraldClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var builder = new UriBuilder(options.Url) { Scheme = options.Url.Scheme is "https" or "wss" ? "wss" : "ws" };
        builder.Path = builder.Path.TrimEnd('/') + "/ws";
        _socketUri = builder.Uri;
        _all = System.Threading.Channels.Channel.CreateBounded<Publication>(new System.Threading.Channels.BoundedChannelOptions(options.BufferCapacity) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropOldest });
    }

    /// <summary>
    /// The publications of every subscription in the order they arrived (each channel's in stream
    /// order, recovered ones before live ones), from a bounded buffer that drops the oldest for a
    /// reader that falls <see cref="HeraldClientOptions.BufferCapacity"/> behind. Ends when the client closes.
    /// </summary>
    public IAsyncEnumerable<Publication> ReadAllAsync(CancellationToken cancellationToken = default) => _all.Reader.ReadAllAsync(cancellationToken);

    /// <summary>The current state.</summary>
    public HeraldClientState State { get; private set; } = HeraldClientState.Disconnected;

    /// <summary>Raised on every state change, with its reason.</summary>
    public event Action<HeraldStateChange>? StateChanged;

    /// <summary>Raised after every subscribe and resubscribe answer: recovered, recoverable.</summary>
    public event Action<HeraldSubscriptionEvent>? Subscribed;

    /// <summary>The session of the current connection (user, organisation, heartbeat), or null.</summary>
    public JsonElement? Session { get; private set; }

    /// <summary>Starts the connection loop and completes once connected; throws <see cref="HeraldClientException"/> when the server refuses for good.</summary>
    public Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        _loop ??= Task.Run(RunAsync);
        return _connected.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Subscribes (now, and again after every reconnect). With <paramref name="since"/> it starts after that offset; without an epoch, in the channel's current epoch.</summary>
    public async Task<HeraldSubscription> SubscribeAsync(string channel, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters = null, long? since = null, string? sinceEpoch = null, CancellationToken cancellationToken = default)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        StreamPosition? position = null;
        if (since is { } offset)
        {
            var epoch = sinceEpoch ?? (await HistoryAsync(channel, limit: 1, cancellationToken: cancellationToken).ConfigureAwait(false)).Position.Epoch;
            position = new StreamPosition(offset, epoch);
        }
        var subscription = new HeraldSubscription(channel, filters, position, _options.BufferCapacity);
        if (!_subscriptions.TryAdd(channel, subscription))
        {
            throw new InvalidOperationException($"already subscribed to '{channel}'");
        }
        try
        {
            await SubscribeOnSocketAsync(subscription, resubscribed: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _subscriptions.TryRemove(channel, out _);
            throw;
        }
        return subscription;
    }

    /// <summary>Ends a subscription; its reader completes.</summary>
    public async Task UnsubscribeAsync(HeraldSubscription subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (_subscriptions.TryRemove(subscription.Channel, out _))
        {
            subscription.Complete();
            await RequestAsync(w => { w.WriteString("type", "unsubscribe"); w.WriteString("channel", subscription.Channel); }, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A page of history over the socket: after <paramref name="since"/>/<paramref name="epoch"/>, or the newest.</summary>
    public async Task<HistoryPage> HistoryAsync(string channel, long? since = null, string? epoch = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        var answer = await RequestAsync(w =>
        {
            w.WriteString("type", "request_history");
            w.WriteString("channel", channel);
            if (since is { } s && epoch is not null)
            {
                w.WriteStartObject("since");
                w.WriteNumber("offset", s);
                w.WriteString("epoch", epoch);
                w.WriteEndObject();
            }
            if (limit is { } l)
            {
                w.WriteNumber("limit", l);
            }
        }, cancellationToken).ConfigureAwait(false);
        return PublicationReader.ReadHistory(answer);
    }

    /// <summary>Who is in a channel whose namespace keeps presence.</summary>
    public async Task<IReadOnlyList<PresenceEntry>> PresenceAsync(string channel, CancellationToken cancellationToken = default)
    {
        var answer = await RequestAsync(w => { w.WriteString("type", "presence"); w.WriteString("channel", channel); }, cancellationToken).ConfigureAwait(false);
        return answer.TryGetProperty("data", out var data) ? PublicationReader.ReadUsers(data) : [];
    }

    /// <summary>Publishes from the client (namespaces with <c>AllowPublish</c>); a new idempotency key is generated when none is given.</summary>
    public async Task<StreamPosition?> PublishAsync(string channel, string type, JsonElement data, IReadOnlyDictionary<string, string>? tags = null, string? key = null, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var answer = await RequestAsync(w =>
        {
            w.WriteString("type", "publish");
            w.WriteString("channel", channel);
            w.WriteString("event", type);
            w.WritePropertyName("data");
            data.WriteTo(w);
            if (tags is { Count: > 0 })
            {
                w.WriteStartObject("tags");
                foreach (var (name, value) in tags)
                {
                    w.WriteString(name, value);
                }
                w.WriteEndObject();
            }
            if (key is not null)
            {
                w.WriteString("key", key);
            }
            w.WriteString("idempotencyKey", idempotencyKey ?? Guid.NewGuid().ToString("N"));
        }, cancellationToken).ConfigureAwait(false);
        return answer.TryGetProperty("data", out var d) && d.TryGetProperty("epoch", out var e) && d.TryGetProperty("offset", out var o)
            ? new StreamPosition(o.GetInt64(), e.GetString()!)
            : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_socket is { State: WebSocketState.Open } socket)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
        _socket?.Abort();
        if (_loop is not null)
        {
            try
            {
                await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }
        }
        foreach (var subscription in _subscriptions.Values)
        {
            subscription.Complete();
        }
        _all.Writer.TryComplete();
        SetState(HeraldClientState.Closed, "disposed");
        _connected.TrySetException(new ObjectDisposedException(nameof(HeraldClient)));
        _stop.Dispose();
    }

    // ---- The connection loop ----

    private async Task RunAsync()
    {
        var attempt = 0;
        var everConnected = false;
        while (!_stop.IsCancellationRequested)
        {
            SetState(HeraldClientState.Connecting, everConnected ? "reconnecting" : "connecting");
            var outcome = new Outcome();
            try
            {
                await RunOnceAsync(outcome, everConnected).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or HttpRequestException or JsonException)
            {
                outcome.Reason ??= ex.Message;
            }
            catch (HeraldClientException ex)
            {
                outcome.Terminal = true;
                outcome.Code = ex.Code;
                outcome.Reason = ex.Message;
            }
            FailPending();
            if (outcome.Connected)
            {
                everConnected = true;
                attempt = 0;
            }
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            if (outcome.Terminal)
            {
                if (outcome.Refusal is not null)
                {
                    outcome.Reason = outcome.Refusal;
                    outcome.Code = outcome.RefusalCode ?? outcome.Code;
                }
                SetState(HeraldClientState.Closed, outcome.Reason ?? "closed", outcome.Code);
                var error = new HeraldClientException(outcome.Code ?? 0, outcome.Reason ?? "closed");
                _connected.TrySetException(error);
                foreach (var subscription in _subscriptions.Values)
                {
                    subscription.Complete(error);
                }
                _all.Writer.TryComplete(error);
                return;
            }
            SetState(HeraldClientState.Disconnected, outcome.Reason ?? "connection lost", outcome.Code);
            if (_connected.Task.IsCompleted)
            {
                _connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            var delay = outcome.ReconnectDelay ?? Backoff(attempt++);
            try
            {
                await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int attempt)
    {
        var bound = Math.Min(_options.MaxReconnectDelay.TotalMilliseconds, _options.MinReconnectDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * bound);
    }

    private sealed class Outcome
    {
        public bool Connected;
        public bool Terminal;
        public int? Code;
        public string? Reason;
        public TimeSpan? ReconnectDelay;
        public int? RefusalCode;
        public string? Refusal;
    }

    private async Task RunOnceAsync(Outcome outcome, bool reconnect)
    {
        using var socket = new ClientWebSocket();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using (var open = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token))
        {
            open.CancelAfter(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(_socketUri, open.Token).ConfigureAwait(false);
        }
        _socket = socket;
        var receive = ReceiveLoopAsync(socket, outcome, connection);
        try
        {
            if (_options.TokenProvider is { } provider)
            {
                _token = await provider(_stop.Token).ConfigureAwait(false);
            }
            var connected = await RequestAsync(w =>
            {
                w.WriteString("type", "connect");
                if (_options.ApiKey is { } apiKey)
                {
                    w.WriteString("apiKey", apiKey);
                }
                else if ((_token ?? _options.Token) is { } token)
                {
                    w.WriteString("token", token);
                }
            }, connection.Token).ConfigureAwait(false);
            var data = connected.GetProperty("data").Clone();
            Session = data;
            outcome.Connected = true;
            ScheduleRefresh(data, connection.Token);
            StartWatchdog(data, socket, connection.Token);
            SetState(HeraldClientState.Connected, reconnect ? "reconnected" : "connected");
            _connected.TrySetResult();
            if (reconnect)
            {
                foreach (var subscription in _subscriptions.Values)
                {
                    await SubscribeOnSocketAsync(subscription, resubscribed: true, connection.Token).ConfigureAwait(false);
                }
            }
        }
        catch (HeraldClientException ex) when (ex.Code is (int)HeraldErrorCode.TokenExpired && _options.TokenProvider is not null)
        {
            outcome.Reason = ex.Message; // a fresh token on the next attempt
        }
        await receive.ConfigureAwait(false);
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, Outcome outcome, CancellationTokenSource connection)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                buffer.Clear();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(4096), connection.Token).ConfigureAwait(false);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    outcome.Code ??= (int?)socket.CloseStatus;
                    outcome.Reason ??= socket.CloseStatusDescription;
                    if (socket.CloseStatus is { } status && (int)status is >= 3500 and <= 3999)
                    {
                        outcome.Terminal = true;
                    }
                    break;
                }
                _lastFrame = Environment.TickCount64;
                using var document = JsonDocument.Parse(buffer.WrittenMemory);
                await HandleAsync(document.RootElement, outcome, connection.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            await connection.CancelAsync().ConfigureAwait(false);
            socket.Abort();
        }
    }

    private long _lastFrame = Environment.TickCount64;

    private async Task HandleAsync(JsonElement frame, Outcome outcome, CancellationToken cancellationToken)
    {
        var type = PublicationReader.Str(frame, "type");
        if (type == "error" && !outcome.Connected)
        {
            // The refusal of connect says why; the disconnect that follows only names its code.
            outcome.RefusalCode = frame.TryGetProperty("code", out var rc) ? rc.GetInt32() : null;
            outcome.Refusal = PublicationReader.Str(frame, "message");
        }
        if (frame.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.Number && _pending.TryRemove(idElement.GetInt64(), out var pending))
        {
            if (type == "error")
            {
                pending.TrySetException(new HeraldClientException(frame.TryGetProperty("code", out var c) ? c.GetInt32() : 0, PublicationReader.Str(frame, "message") ?? "error"));
            }
            else
            {
                pending.TrySetResult(frame.Clone());
            }
            return;
        }
        switch (type)
        {
            case "ping":
                await SendAsync(w => w.WriteString("type", "pong"), cancellationToken).ConfigureAwait(false);
                return;
            case "token_expired":
                _ = RefreshAsync(cancellationToken);
                return;
            case "disconnect":
                outcome.Code = frame.TryGetProperty("code", out var code) ? code.GetInt32() : null;
                outcome.Reason = PublicationReader.Str(frame, "reason");
                outcome.Terminal = frame.TryGetProperty("reconnect", out var again) && again.ValueKind == JsonValueKind.False || outcome.Code is >= 3500 and <= 3999;
                if (frame.TryGetProperty("reconnectDelay", out var delay) && delay.ValueKind == JsonValueKind.Number)
                {
                    outcome.ReconnectDelay = TimeSpan.FromSeconds(delay.GetDouble());
                }
                return;
            case "unsubscribed" or "error" or "pong":
                if (type == "unsubscribed" && PublicationReader.Str(frame, "channel") is { } gone && _subscriptions.TryRemove(gone, out var ended))
                {
                    ended.Complete(new HeraldClientException(frame.TryGetProperty("code", out var uc) ? uc.GetInt32() : 0, PublicationReader.Str(frame, "message") ?? "unsubscribed"));
                }
                return;
            case "batch":
                if (frame.TryGetProperty("publications", out var items) && items.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in items.EnumerateArray())
                    {
                        Route(item);
                    }
                }
                return;
            default:
                Route(frame);
                return;
        }
    }

    private void Route(JsonElement frame)
    {
        if (PublicationReader.Str(frame, "channel") is { } channel && _subscriptions.TryGetValue(channel, out var subscription))
        {
            var publication = PublicationReader.Read(frame);
            if (subscription.Deliver(publication))
            {
                _all.Writer.TryWrite(publication);
            }
        }
    }

    private async Task SubscribeOnSocketAsync(HeraldSubscription subscription, bool resubscribed, CancellationToken cancellationToken)
    {
        var position = subscription.Position;
        var answer = await RequestAsync(w =>
        {
            w.WriteString("type", "subscribe");
            w.WriteString("channel", subscription.Channel);
            if (subscription.Filters is { Count: > 0 } filters)
            {
                w.WriteStartObject("filters");
                foreach (var (tag, values) in filters)
                {
                    w.WriteStartArray(tag);
                    foreach (var value in values)
                    {
                        w.WriteStringValue(value);
                    }
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            if (position is { } p)
            {
                w.WriteStartObject("since");
                w.WriteNumber("offset", p.Offset);
                w.WriteString("epoch", p.Epoch);
                w.WriteEndObject();
            }
        }, cancellationToken).ConfigureAwait(false);
        foreach (var publication in PublicationReader.ReadArray(answer, "publications"))
        {
            if (subscription.Deliver(publication))
            {
                _all.Writer.TryWrite(publication);
            }
        }
        if (answer.TryGetProperty("epoch", out var epoch) && answer.TryGetProperty("offset", out var offset))
        {
            subscription.Subscribed(new StreamPosition(offset.GetInt64(), epoch.GetString()!));
        }
        subscription.Recoverable = answer.TryGetProperty("recoverable", out var r) && r.ValueKind == JsonValueKind.True;
        subscription.Recovered = answer.TryGetProperty("recovered", out var rec) ? rec.ValueKind == JsonValueKind.True : null;
        Subscribed?.Invoke(new HeraldSubscriptionEvent(subscription.Channel, subscription.Recoverable, subscription.Recovered, resubscribed));
    }

    // ---- Token refresh and the server-ping watchdog ----

    private void ScheduleRefresh(JsonElement session, CancellationToken cancellationToken)
    {
        if (_options.TokenProvider is null || !session.TryGetProperty("expires", out var expires) || expires.ValueKind != JsonValueKind.Number)
        {
            return;
        }
        var seconds = expires.GetDouble();
        if (seconds > 1_000_000_000)
        {
            seconds -= DateTimeOffset.UtcNow.ToUnixTimeSeconds(); // an absolute time
        }
        var due = TimeSpan.FromSeconds(Math.Max(0.5, seconds * 0.8));
        _ = Task.Delay(due, cancellationToken).ContinueWith(t => t.IsCompletedSuccessfully ? RefreshAsync(cancellationToken) : Task.CompletedTask, TaskScheduler.Default).Unwrap();
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        if (_options.TokenProvider is not { } provider)
        {
            return;
        }
        try
        {
            _token = await provider(cancellationToken).ConfigureAwait(false);
            var refreshed = await RequestAsync(w => { w.WriteString("type", "refresh"); w.WriteString("token", _token); }, cancellationToken).ConfigureAwait(false);
            if (refreshed.TryGetProperty("data", out var data))
            {
                Session = data.Clone();
                ScheduleRefresh(data, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HeraldClientException or WebSocketException or IOException)
        {
            // The server answers an unrefreshed token with token_expired, then 3005; the loop reconnects with a fresh one.
        }
    }

    private void StartWatchdog(JsonElement session, ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var ping = session.TryGetProperty("pingInterval", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDouble() : 25;
        var pong = session.TryGetProperty("pongTimeout", out var q) && q.ValueKind == JsonValueKind.Number ? q.GetDouble() : 10;
        var silence = TimeSpan.FromSeconds(ping + pong);
        _ = Task.Run(async () =>
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, pong / 2)), cancellationToken).ConfigureAwait(false);
                    if (Environment.TickCount64 - _lastFrame > silence.TotalMilliseconds)
                    {
                        socket.Abort(); // the server went quiet: reconnect
                        return;
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }, CancellationToken.None);
    }

    // ---- Requests ----

    private async Task<JsonElement> RequestAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            await SendAsync(w =>
            {
                w.WriteNumber("id", id);
                write(w);
            }, cancellationToken).ConfigureAwait(false);
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private async Task SendAsync(Action<Utf8JsonWriter> write, CancellationToken cancellationToken)
    {
        var socket = _socket ?? throw new WebSocketException("not connected");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private void FailPending()
    {
        foreach (var (id, pending) in _pending)
        {
            if (_pending.TryRemove(id, out _))
            {
                pending.TrySetException(new WebSocketException("the connection was lost"));
            }
        }
    }

    private void SetState(HeraldClientState state, string reason, int? code = null)
    {
        if (State == HeraldClientState.Closed)
        {
            return;
        }
        State = state;
        StateChanged?.Invoke(new HeraldStateChange(state, reason, code));
    }
}
