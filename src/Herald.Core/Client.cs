using Herald.Core.Auth;
using Herald.Core.Internal;
using Herald.Messages;

namespace Herald.Core;

/// <summary>
/// One connection, whatever its transport: its user, its subscriptions, its bounded send queue,
/// its heartbeat and rate-limit state. The transport reads frames, decodes them with its codec
/// and calls the request methods (one at a time, from its reader); it drains <see cref="Outbox"/>
/// from its single writer. Anything may call <see cref="Send"/> and <see cref="Disconnect(Messages.DisconnectCode)"/>
/// concurrently.
/// </summary>
public sealed partial class Client
{
    private readonly Node _node;
    private TokenBucket _rate;
    private long _lastActivity;
    private long _lastPingSent;
    private long _writeStartedAt;
    private Action? _abortTransport;
    private int _disconnectCode;
    private int _closed;
    private readonly Lock _gate = new();
    // Created when first awaited: most connections never are, and each costs a task.
    private TaskCompletionSource? _closedSource;
    private TaskCompletionSource? _disconnectedSource;
    private int _disconnected;
    private int _closedDone;
    // The expiry of the token the client was last told about (ticks), so it is told once per token.
    private long _expiryWarned;

    internal Client(Node node, string transport, PublicationEncoder encoder, ReadOnlyMemory<byte> pingFrame, bool expectsPong)
    {
        _node = node;
        Transport = transport;
        TransportIndex = HeraldMetrics.TransportIndex(transport);
        Encoder = encoder;
        PingFrame = pingFrame;
        ExpectsPong = expectsPong;
        Id = Internal.SortableId.NextHex32();
        var limits = node.Options.Limits;
        Outbox = new Outbox(limits.MaxSendQueueBytes, limits.MaxSendQueueMessages);
        var now = node.Time.GetTimestamp();
        CreatedAt = now;
        _lastActivity = now;
        _lastPingSent = now;
        _rate = new TokenBucket(limits.MaxMessagesPerSecond, limits.MessageBurst, now, node.Time.TimestampFrequency);
    }

    /// <summary>Unique id of the connection.</summary>
    public string Id { get; }

    /// <summary>The transport's name, for stats (<c>websocket</c>, <c>socketio</c>, <c>sse</c>).</summary>
    public string Transport { get; }

    /// <summary>The slot of <see cref="Transport"/> in the counts kept per transport (<see cref="HeraldMetrics.TransportIndex"/>).</summary>
    internal int TransportIndex { get; }

    /// <summary>The encoder whose frames this connection receives.</summary>
    public PublicationEncoder Encoder { get; }

    /// <summary>The frame the heartbeat sends; empty when the transport runs its own heartbeat.</summary>
    public ReadOnlyMemory<byte> PingFrame { get; }

    /// <summary>
    /// False for one-way transports (SSE): the heartbeat only keeps the stream warm, and a dead peer
    /// shows as a failed or timed-out write instead of a missing pong.
    /// </summary>
    public bool ExpectsPong { get; }

    /// <summary>Whether the transport writes queued frames together (<see cref="LimitsOptions.CoalesceWrites"/>).</summary>
    public bool CoalesceWrites => _node.Options.Limits.CoalesceWrites;

    /// <summary>What a request that needs an authenticated connection gets before the connection is.</summary>
    public const string NotAuthenticated = "connection is not authenticated: send 'connect' with a token first";

    /// <summary>The user, once authenticated; replaced by a token refresh.</summary>
    public HeraldPrincipal? Principal { get; private set; }

    /// <summary>
    /// Set by the transport: called when the server ends a subscription on its own (the refreshed
    /// token no longer allows it), with the channel and why, so the client can be told.
    /// </summary>
    public Action<string, HeraldError>? SubscriptionEnded { get; set; }

    /// <summary>
    /// Set by transports that can take a <c>refresh</c> in band: called once when the token has
    /// expired, with the grace in seconds the client has left to refresh before it is closed with
    /// 3005. Without it (SSE), the connection is closed with 3005 as soon as its token expires.
    /// </summary>
    public Action<int>? TokenExpired { get; set; }

    /// <summary>Frames waiting to be written.</summary>
    public Outbox Outbox { get; }

    internal long CreatedAt { get; }

    /// <summary>Why the server disconnected this client, once it has; null while open or when the peer closed.</summary>
    public DisconnectCode? DisconnectCode => _disconnectCode == 0 ? null : (DisconnectCode)_disconnectCode;

    /// <summary>True once the connection is disconnected or closed.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Completes when the server disconnects the client (with <see cref="DisconnectCode"/>), before its transport has closed.</summary>
    public Task Disconnected => CompletionTask(ref _disconnectedSource, ref _disconnected);

    /// <summary>Completes when the connection has been removed from the node.</summary>
    public Task Closed => CompletionTask(ref _closedSource, ref _closedDone);

    /// <summary>
    /// The task of a lazily created completion source. The completing side sets its flag, then
    /// completes the source if it exists; this side creates the source, then completes it if the
    /// flag is already set. Both steps are full fences, so one side always sees the other.
    /// </summary>
    private static Task CompletionTask(ref TaskCompletionSource? source, ref int done)
    {
        var created = Volatile.Read(ref source);
        if (created is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            created = Interlocked.CompareExchange(ref source, fresh, null) ?? fresh;
        }
        if (Volatile.Read(ref done) != 0)
        {
            created.TrySetResult();
        }
        return created.Task;
    }

    private static void Complete(ref TaskCompletionSource? source, ref int done)
    {
        Interlocked.Exchange(ref done, 1);
        Volatile.Read(ref source)?.TrySetResult();
    }

    /// <summary>
    /// Binds the connection to a user. Fails with a disconnect code when the user has too many connections.
    /// </summary>
    public DisconnectCode? Authenticate(HeraldPrincipal principal)
    {
        // Under the same lock as Close, so a closed connection never stays counted against its user.
        lock (_gate)
        {
            if (Principal is not null)
            {
                throw new InvalidOperationException("The client is already authenticated.");
            }
            if (IsClosed)
            {
                return Messages.DisconnectCode.InternalError;
            }
            if (!_node.Connections.TryAddUser(this, principal.UserId))
            {
                return Messages.DisconnectCode.ConnectionLimit;
            }
            Principal = principal;
        }
        _node.Logger.Authenticated(Id, principal.UserId, principal.OrgId);
        return null;
    }

    /// <summary>
    /// Replaces the principal with a refreshed token's, which must be for the same user and
    /// organisation; subscriptions the new grants no longer allow end.
    /// </summary>
    public HeraldError? Refresh(HeraldPrincipal principal)
    {
        lock (_gate)
        {
            if (Principal is not { } current || current.UserId != principal.UserId || current.OrgId != principal.OrgId)
            {
                return new HeraldError(HeraldErrorCode.Unauthorized, "the refreshed token is for another user or organisation");
            }
            Principal = principal;
        }
        EndDisallowedSubscriptions();
        return null;
    }

    /// <summary>
    /// Records an inbound message for the heartbeat and the rate limit. Returns false when the
    /// connection exceeded its message rate: it has then been disconnected with 3011.
    /// </summary>
    public bool OnMessageReceived()
    {
        var now = _node.Time.GetTimestamp();
        Volatile.Write(ref _lastActivity, now);
        _node.Metrics.MessageIn(TransportIndex);
        if (_rate.TryTake(now))
        {
            return true;
        }
        Disconnect(Messages.DisconnectCode.TooManyRequests);
        return false;
    }

    /// <summary>Records life from the peer (a pong, a transport-level ping) without counting a request.</summary>
    public void OnActivity() => Volatile.Write(ref _lastActivity, _node.Time.GetTimestamp());

    /// <summary>The transport's writer started a write (for the write timeout).</summary>
    public void OnWriteStarted() => Volatile.Write(ref _writeStartedAt, Math.Max(1, _node.Time.GetTimestamp()));

    /// <summary>The transport's writer finished its write.</summary>
    public void OnWriteFinished() => Volatile.Write(ref _writeStartedAt, 0);

    /// <summary>
    /// What the heartbeat does when a write has not finished within
    /// <see cref="LimitsOptions.WriteTimeoutSeconds"/> (the peer stopped reading): the client is
    /// disconnected as a slow consumer and <paramref name="abort"/> tears the transport down.
    /// </summary>
    public void OnWriteStalled(Action abort) => _abortTransport = abort;

    /// <summary>
    /// Queues a frame. When the send queue is full the client is cut off as a slow consumer
    /// (3008) and false is returned; other clients are never affected.
    /// </summary>
    public bool Send(OutboundFrame frame)
    {
        if (Outbox.TryEnqueue(frame))
        {
            return true;
        }
        if (!IsClosed && _disconnectCode == 0)
        {
            _node.Metrics.DroppedMessage(TransportIndex);
            Disconnect(Messages.DisconnectCode.SlowConsumer);
        }
        return false;
    }

    /// <summary>
    /// Disconnects the client with a code. Idempotent: the first code wins. Pending frames are
    /// still written (so a shutdown flushes them) except for a slow consumer, whose queue is dropped.
    /// The transport then writes the <c>disconnect</c> frame and closes with the code.
    /// </summary>
    public void Disconnect(DisconnectCode code) => Disconnect(code, null);

    /// <summary>
    /// The delay the server suggested with its disconnect before the client reconnects, in
    /// seconds: set on a shutdown, spread over <see cref="HeraldOptions.ShutdownReconnectWindowSeconds"/>
    /// so that the clients of a stopping node do not all come back at once. Null otherwise.
    /// </summary>
    public double? ReconnectDelay { get; private set; }

    /// <summary>Disconnects with <paramref name="code"/>, suggesting the client wait <paramref name="reconnectDelay"/> seconds before reconnecting.</summary>
    public void Disconnect(DisconnectCode code, double? reconnectDelay)
    {
        if (IsClosed || Volatile.Read(ref _disconnectCode) != 0)
        {
            return;
        }
        // Written before the code is published: a transport that sees the code sees the delay.
        ReconnectDelay = reconnectDelay;
        if (Interlocked.CompareExchange(ref _disconnectCode, (int)code, 0) != 0 || IsClosed)
        {
            return;
        }
        _node.Metrics.Disconnected(TransportIndex, code);
        if (code == Messages.DisconnectCode.SlowConsumer)
        {
            _node.Metrics.SlowConsumer(TransportIndex);
            Outbox.Complete();
            Outbox.Clear();
        }
        else
        {
            Outbox.Complete();
        }
        _node.Logger.Disconnected(Id, (int)code, HeraldCodes.Reason(code));
        _node.Detach(this);
        Complete(ref _disconnectedSource, ref _disconnected);
    }

    /// <summary>The transport is done with the connection (peer closed, or after a disconnect). Idempotent.</summary>
    public void Close()
    {
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }
        }
        Outbox.Complete();
        _node.Detach(this);
        _node.Connections.Remove(this);
        _node.Metrics.ConnectionClosed(TransportIndex);
        Complete(ref _closedSource, ref _closedDone);
    }

    /// <summary>Called by the node's heartbeat loop.</summary>
    internal void Heartbeat(long now, DateTimeOffset utcNow, long interval, long timeout, long handshakeTimeout, long writeTimeout)
    {
        if (IsClosed)
        {
            return;
        }
        var writeStarted = Volatile.Read(ref _writeStartedAt);
        if (writeStarted != 0 && now - writeStarted > writeTimeout)
        {
            // Also after a disconnect: the final frames and the close may stall as well.
            Disconnect(Messages.DisconnectCode.SlowConsumer);
            _abortTransport?.Invoke();
            return;
        }
        if (_disconnectCode != 0)
        {
            return;
        }
        if (Principal is null && now - CreatedAt > handshakeTimeout)
        {
            Disconnect(Messages.DisconnectCode.HandshakeTimeout);
            return;
        }
        if (Principal?.ExpiresAt is { } expiresAt && expiresAt <= utcNow && CheckExpiry(expiresAt, utcNow))
        {
            return;
        }
        if (PingFrame.IsEmpty)
        {
            return;
        }
        var lastPing = Volatile.Read(ref _lastPingSent);
        var lastActivity = ExpectsPong ? Volatile.Read(ref _lastActivity) : now;
        if (lastActivity < lastPing && now - lastPing > timeout)
        {
            Disconnect(Messages.DisconnectCode.NoPong);
            return;
        }
        if (now - lastPing >= interval && lastActivity >= lastPing)
        {
            // On the schedule, not on the tick that noticed it, so the pong deadline is exact.
            Volatile.Write(ref _lastPingSent, now - lastPing < 2 * interval ? lastPing + interval : now);
            Send(PingFrame);
        }
    }

    /// <summary>
    /// The token has expired: tell the client once (it may still refresh), and close the
    /// connection with 3005 when the grace is over or the transport cannot refresh. True when the
    /// connection was closed.
    /// </summary>
    private bool CheckExpiry(DateTimeOffset expiresAt, DateTimeOffset utcNow)
    {
        var grace = _node.Options.Auth.ExpiryGraceSeconds;
        if (TokenExpired is not { } warn || utcNow >= expiresAt.AddSeconds(grace))
        {
            Disconnect(Messages.DisconnectCode.TokenExpired);
            return true;
        }
        if (Interlocked.Exchange(ref _expiryWarned, expiresAt.UtcTicks) != expiresAt.UtcTicks)
        {
            var left = (int)Math.Ceiling((expiresAt.AddSeconds(grace) - utcNow).TotalSeconds);
            warn(Math.Max(0, left));
        }
        return false;
    }

    /// <summary>True when a ping went unanswered past the heartbeat timeout (the heartbeat loop may not have noticed yet).</summary>
    public bool IsPongOverdue
    {
        get
        {
            if (!ExpectsPong || PingFrame.IsEmpty)
            {
                return false;
            }
            var lastPing = Volatile.Read(ref _lastPingSent);
            var timeout = (long)(_node.Options.Heartbeat.TimeoutSeconds * _node.Time.TimestampFrequency);
            return Volatile.Read(ref _lastActivity) < lastPing && _node.Time.GetTimestamp() - lastPing > timeout;
        }
    }
}
