using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Herald.Core.Auth;
using Herald.Core.Brokers;
using Herald.Core.Channels;
using Herald.Core.Cluster;
using Herald.Core.History;
using Herald.Core.Internal;
using Herald.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Herald.Core;

/// <summary>
/// The heart of a Herald server: it owns the connections and their subscriptions, publishes
/// through the <see cref="IBroker"/> (which assigns stream positions), and fans what the broker
/// delivers out to local subscribers, encoding each publication once per wire encoder. Keeps
/// presence in the <see cref="IPresenceStore"/> and heartbeats into the
/// <see cref="IClusterMembership"/>, both shared by every node of a cluster. Thread-safe.
/// </summary>
public sealed partial class Node : IBrokerHandler, IAsyncDisposable
{
    private const int SubscribeLockStripes = 256;
    private readonly ConcurrentDictionary<string, ChannelSubscribers> _channels = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim[] _subscribeLocks = Enumerable.Range(0, SubscribeLockStripes).Select(_ => new SemaphoreSlim(1, 1)).ToArray();
    private readonly IBroker _broker;
    private readonly CancellationTokenSource _stopping = new();
    private Task _heartbeat = Task.CompletedTask;
    private Task _maintenance = Task.CompletedTask;
    private Task _cluster = Task.CompletedTask;
    private long _subscriptionCount;
    private int _shuttingDown;
    private bool _started;

    /// <param name="options">The server's options.</param>
    /// <param name="broker">Delivers publications and keeps the channels' streams.</param>
    /// <param name="history">
    /// The store behind the broker's streams, when this node should run its maintenance (expired
    /// publications, idle streams) and report its health on <c>/ready</c>; it is disposed with the
    /// node. The node never reads or appends to it: that goes through the broker. Null when the
    /// broker looks after its storage alone.
    /// </param>
    /// <param name="metrics">Where the node counts; a fresh set when null.</param>
    /// <param name="logger">The node's logger.</param>
    /// <param name="time">The clock; the system clock when null.</param>
    /// <param name="presence">
    /// Who is in which channel, for the whole cluster; the caller owns it (nodes sharing one do not
    /// dispose it). A fresh <see cref="MemoryPresenceStore"/> of this node alone when null.
    /// </param>
    /// <param name="membership">
    /// The cluster's node registry and job leases; the caller owns it. A fresh
    /// <see cref="MemoryClusterMembership"/> of this node alone when null.
    /// </param>
    public Node(HeraldOptions options, IBroker broker, IHistoryStore? history = null, HeraldMetrics? metrics = null, ILogger<Node>? logger = null, TimeProvider? time = null,
        IPresenceStore? presence = null, IClusterMembership? membership = null)
    {
        Options = options;
        Name = string.IsNullOrEmpty(options.NodeName) ? $"{Environment.MachineName}-{RandomNumberGenerator.GetHexString(4, lowercase: true)}" : options.NodeName;
        _broker = broker;
        History = history;
        Metrics = metrics ?? new HeraldMetrics();
        Metrics.Bind(this);
        Logger = (ILogger?)logger ?? NullLogger.Instance;
        Time = time ?? TimeProvider.System;
        Presence = presence ?? new MemoryPresenceStore();
        Membership = membership ?? new MemoryClusterMembership(Time);
        Signals = new ClusterSignals(this);
        Signals.On(DisconnectUserSignal, OnDisconnectUserSignal);
        StartedAt = Time.GetUtcNow();
        Namespaces = new NamespaceRegistry(options.Namespaces);
        Connections = new ConnectionRegistry(options.Limits.MaxConnectionsPerUser);
        Tokens = new TokenValidator(options.Auth);
        ApiKeys = new ApiKeyStore(options.Auth.ApiKeys);
        Requests = new Requests.RequestHandler(this);
        _idempotency = new IdempotencyWindow(Time, TimeSpan.FromSeconds(options.Limits.IdempotencyWindowSeconds), options.Limits.MaxIdempotencyKeys);
    }

    /// <summary>The encoders of this node's connections and their frame-cache slots.</summary>
    internal EncoderRegistry Encoders { get; } = new();

    /// <summary>Runs the requests of this node's connections, for every transport.</summary>
    public Requests.RequestHandler Requests { get; }

    public HeraldOptions Options { get; }

    /// <summary>This node's name in the cluster: <c>Herald:NodeName</c>, or the machine name and a short random suffix.</summary>
    public string Name { get; }

    /// <summary>Who is in which channel, for the whole cluster.</summary>
    public IPresenceStore Presence { get; }

    /// <summary>The cluster's node registry and job leases.</summary>
    public IClusterMembership Membership { get; }

    /// <summary>Commands to every node of the cluster.</summary>
    public ClusterSignals Signals { get; }

    /// <summary>When this node was created.</summary>
    public DateTimeOffset StartedAt { get; }

    public HeraldMetrics Metrics { get; }

    public NamespaceRegistry Namespaces { get; }

    public ConnectionRegistry Connections { get; }

    /// <summary>Validates user tokens.</summary>
    public TokenValidator Tokens { get; }

    /// <summary>Validates API keys.</summary>
    public ApiKeyStore ApiKeys { get; }

    public IBroker Broker => _broker;

    /// <summary>The store this node maintains and reports on (see the constructor), or null.</summary>
    public IHistoryStore? History { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    /// <summary>True once a shutdown began: transports must refuse new connections.</summary>
    public bool IsShuttingDown => Volatile.Read(ref _shuttingDown) != 0;

    /// <summary>Channels with at least one local subscriber.</summary>
    public int ChannelCount => _channels.Count;

    /// <summary>Subscriptions on this node.</summary>
    public long SubscriptionCount => Interlocked.Read(ref _subscriptionCount);

    /// <summary>
    /// Connects to the broker, joins the cluster (registers with the membership, subscribes to
    /// <see cref="ClusterSignals.Channel"/>), and starts the heartbeat loops and the history maintenance.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // The broker creates or migrates its storage: the store is initialized by it, once.
        await _broker.StartAsync(this, cancellationToken).ConfigureAwait(false);
        await Presence.InitializeAsync(cancellationToken).ConfigureAwait(false);
        await Membership.StartAsync(Name, cancellationToken).ConfigureAwait(false);
        // A previous run under this name may have left entries (it died and came back before anyone noticed).
        await RemoveNodePresenceAsync(Name, cancellationToken).ConfigureAwait(false);
        await _broker.SubscribeAsync(ClusterSignals.Channel, cancellationToken).ConfigureAwait(false);
        await Membership.HeartbeatAsync(Report(), cancellationToken).ConfigureAwait(false);
        _started = true;
        _heartbeat = RunHeartbeatAsync(_stopping.Token);
        _cluster = ClusterHeartbeat.RunAsync(this, _stopping.Token);
        if (History is not null)
        {
            _maintenance = HistoryMaintenance.RunAsync(this, History, _stopping.Token);
        }
    }

    /// <summary>Registers a new connection. The transport then authenticates it and feeds it requests.</summary>
    /// <param name="transport">The transport's name, for stats and logs.</param>
    /// <param name="encoder">The encoder of the publication frames this connection receives.</param>
    /// <param name="pingFrame">What the heartbeat sends; empty when the transport runs its own.</param>
    /// <param name="expectsPong">Whether a peer that does not answer the heartbeat is cut off (false for one-way transports).</param>
    public Client CreateClient(string transport, PublicationEncoder encoder, ReadOnlyMemory<byte> pingFrame, bool expectsPong = true)
    {
        var client = new Client(this, transport, encoder, pingFrame, expectsPong);
        Connections.Add(client);
        Metrics.ConnectionAccepted(client.TransportIndex);
        Logger.Connected(client.Id, transport);
        return client;
    }

    /// <summary>Local subscribers of a channel.</summary>
    public int SubscriberCount(string channel) => _channels.TryGetValue(channel, out var s) ? s.Items.Length : 0;

    /// <summary>The channels with local subscribers and their subscriber counts.</summary>
    public IEnumerable<KeyValuePair<string, int>> ChannelsSnapshot() =>
        _channels.Select(c => new KeyValuePair<string, int>(c.Key, c.Value.Items.Length));

    /// <summary>Disconnects every connection of a user on this node; returns how many there were.</summary>
    public int DisconnectUser(string userId, DisconnectCode code)
    {
        var clients = Connections.ForUser(userId);
        foreach (var client in clients)
        {
            client.Disconnect(code);
        }
        return clients.Length;
    }

    /// <summary>
    /// Disconnects every connection of a user on every node: this node's at once, the others' by a
    /// signal that each node acts on when it arrives. Returns how many connections this node closed;
    /// the other nodes' are not counted.
    /// </summary>
    public async ValueTask<int> DisconnectUserEverywhereAsync(string userId, DisconnectCode code, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var count = DisconnectUser(userId, code);
        await Signals.SendAsync(DisconnectUserSignal, SignalData.Write(("user", userId), ("code", ((int)code).ToString(CultureInfo.InvariantCulture))), cancellationToken).ConfigureAwait(false);
        return count;
    }

    private const string DisconnectUserSignal = "user.disconnect";

    private void OnDisconnectUserSignal(ClusterSignal signal)
    {
        if (signal.From != Name && SignalData.Read(signal.Data, "user") is { } user
            && int.TryParse(SignalData.Read(signal.Data, "code"), CultureInfo.InvariantCulture, out var code))
        {
            DisconnectUser(user, (DisconnectCode)code);
        }
    }

    /// <summary>What this node tells the cluster at each heartbeat: its stats as of now.</summary>
    public NodeReport Report() => new()
    {
        Name = Name,
        Version = ClusterHeartbeat.Version,
        StartedAt = StartedAt,
        Connections = Metrics.ConnectionsActive,
        Users = Metrics.Users,
        Channels = Metrics.Channels,
        Subscriptions = Metrics.Subscriptions,
        MessagesIn = Metrics.MessagesIn,
        MessagesOut = Metrics.MessagesOut,
        Publications = Metrics.Publications,
        Dropped = Metrics.Dropped,
        SlowConsumers = Metrics.SlowConsumers,
        LastSeen = Time.GetUtcNow(),
    };

    /// <summary>
    /// Graceful shutdown: refuse new connections, tell every client to reconnect
    /// elsewhere (3001) after its pending frames are written, and wait for them within the timeout.
    /// </summary>
    public async Task ShutdownAsync(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _shuttingDown, 1) != 0)
        {
            return;
        }
        // Pending batches and conflated updates go out before clients are told to leave.
        FlushAllPending();
        var clients = Connections.Clients.ToArray();
        Logger.ShuttingDown(clients.Length);
        // Each client is told when to come back, spread evenly over the window: a restart (or the
        // nodes that take over) sees a steady stream of reconnects instead of all of them at once.
        var window = Options.ShutdownReconnectWindowSeconds;
        foreach (var client in clients)
        {
            client.Disconnect(DisconnectCode.Shutdown, window > 0 ? Math.Round(Random.Shared.NextDouble() * window, 3) : null);
        }
        var all = Task.WhenAll(clients.Select(c => c.Closed));
        if (await Task.WhenAny(all, Task.Delay(timeout, Time)).ConfigureAwait(false) != all)
        {
            Logger.ShutdownTimedOut(Connections.Count);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_heartbeat, _maintenance, _cluster).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        if (_started)
        {
            await LeaveClusterAsync().ConfigureAwait(false);
        }
        await _broker.DisposeAsync().ConfigureAwait(false);
        if (History is not null)
        {
            await History.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    /// <summary>
    /// Leaves the cluster at the end: this node's remaining presence entries go (with their leave
    /// events) and it is unregistered, so the others need not wait for it to time out.
    /// </summary>
    private async Task LeaveClusterAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await RemoveNodePresenceAsync(Name, timeout.Token).ConfigureAwait(false);
            await Membership.RemoveNodeAsync(Name, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Logger.ClusterLeaveFailed(ex, Name);
        }
    }

    /// <summary>
    /// Adds a subscription, subscribing the node at the broker first when the channel is new here.
    /// Runs under the channel's <see cref="SubscribeLock"/>, which also orders broker unsubscribes,
    /// so a subscribe and an unsubscribe of one channel never interleave at the broker. When the
    /// broker fails, nothing is added and the exception propagates.
    /// </summary>
    private async ValueTask AddSubscriptionAsync(Subscription subscription, NamespaceOptions options, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel.Value;
        var gate = SubscribeLock(channel);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await AddSubscriptionLockedAsync(subscription, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async ValueTask AddSubscriptionLockedAsync(Subscription subscription, NamespaceOptions options, CancellationToken cancellationToken)
    {
        var channel = subscription.Channel.Value;
        while (true)
        {
            var subscribers = _channels.GetOrAdd(channel, static _ => new ChannelSubscribers());
            bool needBroker;
            lock (subscribers)
            {
                if (subscribers.Removed)
                {
                    continue;
                }
                subscribers.Options ??= options;
                needBroker = !subscribers.BrokerSubscribed;
            }
            if (needBroker)
            {
                try
                {
                    await _broker.SubscribeAsync(channel, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    lock (subscribers)
                    {
                        if (subscribers.Items.Length == 0 && !subscribers.Removed)
                        {
                            subscribers.Removed = true;
                            _channels.TryRemove(new KeyValuePair<string, ChannelSubscribers>(channel, subscribers));
                        }
                    }
                    throw;
                }
            }
            lock (subscribers)
            {
                subscribers.BrokerSubscribed = true;
                subscribers.Items = [.. subscribers.Items, subscription];
            }
            Interlocked.Increment(ref _subscriptionCount);
            return;
        }
    }

    internal void RemoveSubscription(Subscription subscription)
    {
        var channel = subscription.Channel.Value;
        if (!_channels.TryGetValue(channel, out var subscribers))
        {
            return;
        }
        bool last;
        lock (subscribers)
        {
            var index = Array.IndexOf(subscribers.Items, subscription);
            if (index < 0)
            {
                return;
            }
            var items = new Subscription[subscribers.Items.Length - 1];
            Array.Copy(subscribers.Items, 0, items, 0, index);
            Array.Copy(subscribers.Items, index + 1, items, index, items.Length - index);
            subscribers.Items = items;
            last = items.Length == 0;
            if (last)
            {
                subscribers.Removed = true;
                _channels.TryRemove(new KeyValuePair<string, ChannelSubscribers>(channel, subscribers));
            }
        }
        Interlocked.Decrement(ref _subscriptionCount);
        LeavePresence(subscription, subscribers.Options);
        if (last)
        {
            _ = UnsubscribeFromBrokerAsync(channel);
        }
    }

    /// <summary>
    /// The per-channel lock of broker subscribe and unsubscribe calls, striped. It orders only this
    /// node's own registrations at the broker; stream positions need no lock on the node.
    /// </summary>
    private SemaphoreSlim SubscribeLock(string channel) => _subscribeLocks[(uint)StringComparer.Ordinal.GetHashCode(channel) % SubscribeLockStripes];

    private async Task UnsubscribeFromBrokerAsync(string channel)
    {
        var gate = SubscribeLock(channel);
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            // Under the gate no subscribe can interleave; one that came first keeps the channel.
            if (!_channels.TryGetValue(channel, out var subscribers) || subscribers.Items.Length == 0)
            {
                await _broker.UnsubscribeAsync(channel, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            Logger.BrokerUnsubscribeFailed(ex, channel);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Drops a disconnected client's subscriptions.</summary>
    internal void Detach(Client client)
    {
        foreach (var subscription in client.TakeSubscriptions())
        {
            RemoveSubscription(subscription);
        }
    }

    private async Task RunHeartbeatAsync(CancellationToken cancellationToken)
    {
        var heartbeat = Options.Heartbeat;
        var frequency = Time.TimestampFrequency;
        var interval = (long)(heartbeat.IntervalSeconds * frequency);
        var timeout = (long)(heartbeat.TimeoutSeconds * frequency);
        var handshake = (long)(Options.Limits.HandshakeTimeoutSeconds * (double)frequency);
        var writeTimeout = (long)(Options.Limits.WriteTimeoutSeconds * (double)frequency);
        var tickSeconds = Math.Clamp(Math.Min(Math.Min(heartbeat.IntervalSeconds, heartbeat.TimeoutSeconds), Options.Limits.HandshakeTimeoutSeconds) / 8, 0.01, 1);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(tickSeconds), Time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = Time.GetTimestamp();
                var utcNow = Time.GetUtcNow();
                foreach (var client in Connections.Clients)
                {
                    client.Heartbeat(now, utcNow, interval, timeout, handshake, writeTimeout);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            Logger.HeartbeatFailed(ex);
        }
    }

    /// <summary>The local subscribers of one channel; the array is replaced, never mutated, so fan-out reads it without a lock.</summary>
    private sealed class ChannelSubscribers
    {
        public volatile Subscription[] Items = [];
        public NamespaceOptions? Options;
        public bool Removed;
        public bool BrokerSubscribed;
    }
}
