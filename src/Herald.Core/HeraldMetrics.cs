using System.Diagnostics.Metrics;

namespace Herald.Core;

/// <summary>
/// Herald's counters: one source for <c>/api/stats</c>, <c>/metrics</c> and OpenTelemetry
/// (instruments named <c>herald.*</c> on the meter <c>Herald</c>, created through
/// <see cref="IMeterFactory"/> when one is given). Thread-safe; increments are single atomic adds.
/// </summary>
public sealed class HeraldMetrics
{
    public const string MeterName = "Herald";

    private long _messagesIn;
    private long _messagesOut;
    private long _publications;
    private long _dropped;
    private long _slowConsumers;
    private long _connectionsAccepted;

    public HeraldMetrics(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is null)
        {
            return;
        }
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("herald.messages.received", () => MessagesIn, "{message}", "Frames received from clients.");
        meter.CreateObservableCounter("herald.messages.sent", () => MessagesOut, "{message}", "Publication frames queued to clients.");
        meter.CreateObservableCounter("herald.publications", () => Publications, "{publication}", "Publications accepted.");
        meter.CreateObservableCounter("herald.messages.dropped", () => Dropped, "{message}", "Frames dropped because a send queue was full.");
        meter.CreateObservableCounter("herald.connections.slow_consumer", () => SlowConsumers, "{connection}", "Connections closed as slow consumers.");
        meter.CreateObservableCounter("herald.connections.accepted", () => ConnectionsAccepted, "{connection}", "Connections accepted.");
    }

    public long MessagesIn => Interlocked.Read(ref _messagesIn);
    public long MessagesOut => Interlocked.Read(ref _messagesOut);
    public long Publications => Interlocked.Read(ref _publications);
    public long Dropped => Interlocked.Read(ref _dropped);
    public long SlowConsumers => Interlocked.Read(ref _slowConsumers);
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    public void MessageIn() => Interlocked.Increment(ref _messagesIn);
    public void MessagesSent(long count) => Interlocked.Add(ref _messagesOut, count);
    public void Publication() => Interlocked.Increment(ref _publications);
    public void DroppedMessage() => Interlocked.Increment(ref _dropped);
    public void SlowConsumer() => Interlocked.Increment(ref _slowConsumers);
    public void ConnectionAccepted() => Interlocked.Increment(ref _connectionsAccepted);
}
