using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Herald.Messages;

namespace Herald.Core;

/// <summary>
/// Herald's counters and gauges: the one source that <c>/api/stats</c>, <c>/metrics</c> and
/// OpenTelemetry all read. The instruments live on the meter <c>Herald</c>, are created through
/// the <see cref="IMeterFactory"/> given (none without one: the counters still count, for a
/// <see cref="Node"/> built directly), and are all observable: each reads a counter here or a
/// gauge of the node when a listener collects, so recording stays a single atomic add with no tag
/// list. The names, kinds, units and tags are listed in <c>docs/metrics.md</c>.
/// </summary>
/// <remarks>
/// Thread-safe. Counts by transport are kept per <see cref="Client.TransportIndex"/>: the three
/// transports of Herald and one slot for any other name, so tags never carry more than four
/// values; channel and user ids never become tags.
/// </remarks>
public sealed class HeraldMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Herald";

    /// <summary>Slots of the counts kept per transport: websocket, socketio, sse, other.</summary>
    public const int TransportCount = 4;

    private const int OtherTransport = TransportCount - 1;

    private static readonly string[] TransportNames = ["websocket", "socketio", "sse", "other"];

    // The codes a disconnect is counted under; a code outside this list counts as "other".
    private static readonly DisconnectCode[] Codes = Enum.GetValues<DisconnectCode>();
    private static readonly string[] CodeNames = Array.ConvertAll(Codes, c => ((int)c).ToString(CultureInfo.InvariantCulture));

    private readonly long[] _connectionsActive = new long[TransportCount];
    private readonly long[] _connectionsAccepted = new long[TransportCount];
    private readonly long[] _messagesIn = new long[TransportCount];
    private readonly long[] _messagesOut = new long[TransportCount];
    private readonly long[] _dropped = new long[TransportCount];
    private readonly long[] _slowConsumers = new long[TransportCount];
    private readonly long[] _disconnects = new long[TransportCount * (Codes.Length + 1)];
    private long _publications;
    private Node? _node;

    /// <param name="meterFactory">Creates the meter <c>Herald</c> and its instruments; without one, nothing is published.</param>
    public HeraldMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            return;
        }
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("herald.connections.active", () => ByTransport(_connectionsActive), "{connection}", "Open connections.");
        meter.CreateObservableCounter("herald.connections.accepted", () => ByTransport(_connectionsAccepted), "{connection}", "Connections accepted.");
        meter.CreateObservableCounter("herald.connections.disconnected", ObserveDisconnects, "{connection}", "Connections the server disconnected, by disconnect code.");
        meter.CreateObservableCounter("herald.connections.slow_consumer", () => ByTransport(_slowConsumers), "{connection}", "Connections cut off as slow consumers (3008).");
        meter.CreateObservableUpDownCounter("herald.users.active", () => (long)(_node?.Connections.UserCount ?? 0), "{user}", "Distinct users with open connections.");
        meter.CreateObservableUpDownCounter("herald.channels.active", () => (long)(_node?.ChannelCount ?? 0), "{channel}", "Channels with subscribers on this node.");
        meter.CreateObservableUpDownCounter("herald.subscriptions.active", () => _node?.SubscriptionCount ?? 0, "{subscription}", "Subscriptions on this node.");
        meter.CreateObservableCounter("herald.messages.received", () => ByTransport(_messagesIn), "{message}", "Frames received from clients.");
        meter.CreateObservableCounter("herald.messages.sent", () => ByTransport(_messagesOut), "{message}", "Publications queued to clients (a batch counts each publication in it).");
        meter.CreateObservableCounter("herald.messages.dropped", () => ByTransport(_dropped), "{message}", "Frames dropped because a send queue was full.");
        meter.CreateObservableCounter("herald.publications", () => Publications, "{publication}", "Publications accepted on this node.");
        meter.CreateObservableGauge("herald.process.memory", () => Environment.WorkingSet, "By", "Working set of the process.");
        meter.CreateObservableGauge("herald.gc.heap", () => GC.GetTotalMemory(false), "By", "Bytes on the managed heap.");
        meter.CreateObservableGauge("herald.uptime", () => UptimeSeconds, "s", "Seconds since the process started.");
    }

    /// <summary>Open connections.</summary>
    public long ConnectionsActive => Sum(_connectionsActive);

    /// <summary>Connections accepted since the start.</summary>
    public long ConnectionsAccepted => Sum(_connectionsAccepted);

    /// <summary>Distinct users with open connections.</summary>
    public long Users => _node?.Connections.UserCount ?? 0;

    /// <summary>Channels with subscribers on this node.</summary>
    public long Channels => _node?.ChannelCount ?? 0;

    /// <summary>Subscriptions on this node.</summary>
    public long Subscriptions => _node?.SubscriptionCount ?? 0;

    /// <summary>Frames received from clients.</summary>
    public long MessagesIn => Sum(_messagesIn);

    /// <summary>Publications queued to clients.</summary>
    public long MessagesOut => Sum(_messagesOut);

    /// <summary>Publications accepted on this node.</summary>
    public long Publications => Interlocked.Read(ref _publications);

    /// <summary>Frames dropped because a send queue was full.</summary>
    public long Dropped => Sum(_dropped);

    /// <summary>Connections cut off as slow consumers.</summary>
    public long SlowConsumers => Sum(_slowConsumers);

    /// <summary>Seconds since the process started.</summary>
    public double UptimeSeconds => Math.Round((DateTimeOffset.UtcNow - ProcessStart.Time).TotalSeconds, 1);

    /// <summary>The slot of a transport's counts: <c>websocket</c>, <c>socketio</c>, <c>sse</c>, or the one for every other name.</summary>
    public static int TransportIndex(string transport) => transport switch
    {
        "websocket" => 0,
        "socketio" => 1,
        "sse" => 2,
        _ => OtherTransport,
    };

    /// <summary>The node whose gauges (users, channels, subscriptions) this reports. Once.</summary>
    internal void Bind(Node node)
    {
        if (Interlocked.CompareExchange(ref _node, node, null) is not null)
        {
            throw new InvalidOperationException("A HeraldMetrics belongs to one node: give each node its own.");
        }
    }

    internal void ConnectionAccepted(int transport)
    {
        Interlocked.Increment(ref _connectionsAccepted[transport]);
        Interlocked.Increment(ref _connectionsActive[transport]);
    }

    internal void ConnectionClosed(int transport) => Interlocked.Decrement(ref _connectionsActive[transport]);

    internal void Disconnected(int transport, DisconnectCode code)
    {
        var index = Array.IndexOf(Codes, code);
        Interlocked.Increment(ref _disconnects[(transport * (Codes.Length + 1)) + (index < 0 ? Codes.Length : index)]);
    }

    internal void MessageIn(int transport) => Interlocked.Increment(ref _messagesIn[transport]);

    /// <summary>Adds deliveries to connections of one transport.</summary>
    internal void MessagesSent(int transport, long count)
    {
        if (count != 0)
        {
            Interlocked.Add(ref _messagesOut[transport], count);
        }
    }

    /// <summary>Adds one fan-out's deliveries, counted by the caller per transport slot.</summary>
    internal void MessagesSent(ReadOnlySpan<long> byTransport)
    {
        for (var i = 0; i < byTransport.Length; i++)
        {
            if (byTransport[i] != 0)
            {
                Interlocked.Add(ref _messagesOut[i], byTransport[i]);
            }
        }
    }

    internal void Publication() => Interlocked.Increment(ref _publications);

    internal void DroppedMessage(int transport) => Interlocked.Increment(ref _dropped[transport]);

    internal void SlowConsumer(int transport) => Interlocked.Increment(ref _slowConsumers[transport]);

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            sum += Interlocked.Read(ref counts[i]);
        }
        return sum;
    }

    /// <summary>One measurement per Herald transport, zeros included, and one for other names once they counted.</summary>
    private static IEnumerable<Measurement<long>> ByTransport(long[] counts)
    {
        var measurements = new List<Measurement<long>>(TransportCount);
        for (var i = 0; i < TransportCount; i++)
        {
            var value = Interlocked.Read(ref counts[i]);
            if (i != OtherTransport || value != 0)
            {
                measurements.Add(new Measurement<long>(value, new KeyValuePair<string, object?>("transport", TransportNames[i])));
            }
        }
        return measurements;
    }

    private IEnumerable<Measurement<long>> ObserveDisconnects()
    {
        var measurements = new List<Measurement<long>>();
        for (var t = 0; t < TransportCount; t++)
        {
            for (var c = 0; c <= Codes.Length; c++)
            {
                var value = Interlocked.Read(ref _disconnects[(t * (Codes.Length + 1)) + c]);
                if (value != 0)
                {
                    measurements.Add(new Measurement<long>(value,
                        new KeyValuePair<string, object?>("transport", TransportNames[t]),
                        new KeyValuePair<string, object?>("code", c < Codes.Length ? CodeNames[c] : "other")));
                }
            }
        }
        return measurements;
    }

    /// <summary>When the process started, read once and only if asked.</summary>
    private static class ProcessStart
    {
        public static readonly DateTimeOffset Time = Read();

        private static DateTimeOffset Read()
        {
            using var process = Process.GetCurrentProcess();
            return process.StartTime.ToUniversalTime();
        }
    }
}
