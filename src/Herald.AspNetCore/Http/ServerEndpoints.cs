using System.Globalization;
using System.Text;
using Herald.AspNetCore.Http.Contracts;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Http;

/// <summary>Health, readiness, stats, channels, Prometheus metrics and forced disconnects.</summary>
internal static class ServerEndpoints
{
    private static readonly DateTimeOffset Started = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();

    public static IResult Health() => HttpJson.Write(new HealthResponse("healthy"), HttpJson.Context.HealthResponse);

    public static async Task<IResult> ReadyAsync(Node node, CancellationToken cancellationToken)
    {
        if (node.IsShuttingDown)
        {
            return HttpProblems.Result(StatusCodes.Status503ServiceUnavailable, "server is shutting down");
        }
        if (!await Healthy(() => node.Broker.IsHealthyAsync(cancellationToken)).ConfigureAwait(false))
        {
            return HttpProblems.Result(StatusCodes.Status503ServiceUnavailable, "the broker is not reachable");
        }
        if (!await Healthy(() => node.History.IsHealthyAsync(cancellationToken)).ConfigureAwait(false))
        {
            return HttpProblems.Result(StatusCodes.Status503ServiceUnavailable, "the history store is not reachable");
        }
        return HttpJson.Write(new ReadyResponse("ready", "ok", "ok"), HttpJson.Context.ReadyResponse);
    }

    private static async Task<bool> Healthy(Func<ValueTask<bool>> check)
    {
        try
        {
            return await check().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    public static IResult Stats(Node node) => HttpJson.Write(new StatsResponse(
        node.Options.NodeName,
        node.Connections.Count,
        node.Connections.UserCount,
        node.ChannelCount,
        node.SubscriptionCount,
        node.Metrics.MessagesIn,
        node.Metrics.MessagesOut,
        node.Metrics.Publications,
        node.Metrics.Dropped,
        node.Metrics.SlowConsumers,
        Math.Round((DateTimeOffset.UtcNow - Started).TotalSeconds, 1)), HttpJson.Context.StatsResponse);

    public static IResult Channels(Node node, string? prefix) => HttpJson.Write(new ChannelsResponse(node.ChannelsSnapshot()
        .Where(c => prefix is null || c.Key.StartsWith(prefix, StringComparison.Ordinal))
        .OrderBy(c => c.Key, StringComparer.Ordinal)
        .Select(c => new ChannelInfo(c.Key, c.Value))
        .ToArray()), HttpJson.Context.ChannelsResponse);

    public static IResult DisconnectUser(HttpContext context, Node node, string id, ILogger<Node> logger)
    {
        var count = node.DisconnectUser(id, DisconnectCode.ForceDisconnect);
        var key = (ApiKey)context.Items[typeof(ApiKey)]!;
        logger.UserDisconnected(key.Name, id, count);
        return HttpJson.Write(new DisconnectResponse(id, count), HttpJson.Context.DisconnectResponse);
    }

    /// <summary>Prometheus text exposition format 0.0.4, from the same counters as <c>/api/stats</c>.</summary>
    public static IResult Metrics(Node node)
    {
        var m = node.Metrics;
        var text = new StringBuilder(2048);
        Gauge(text, "herald_connections", "Open connections.", node.Connections.Count);
        Gauge(text, "herald_users", "Distinct users with open connections.", node.Connections.UserCount);
        Gauge(text, "herald_channels", "Channels with local subscribers.", node.ChannelCount);
        Gauge(text, "herald_subscriptions", "Subscriptions on this node.", node.SubscriptionCount);
        Counter(text, "herald_connections_accepted_total", "Connections accepted.", m.ConnectionsAccepted);
        Counter(text, "herald_messages_received_total", "Frames received from clients.", m.MessagesIn);
        Counter(text, "herald_messages_sent_total", "Publication frames queued to clients.", m.MessagesOut);
        Counter(text, "herald_publications_total", "Publications accepted.", m.Publications);
        Counter(text, "herald_messages_dropped_total", "Frames dropped because a send queue was full.", m.Dropped);
        Counter(text, "herald_slow_consumers_total", "Connections closed as slow consumers.", m.SlowConsumers);
        Gauge(text, "herald_process_memory_bytes", "Working set of the process.", Environment.WorkingSet);
        Gauge(text, "herald_gc_heap_bytes", "Bytes on the managed heap.", GC.GetTotalMemory(false));
        return TypedResults.Text(text.ToString(), "text/plain; version=0.0.4; charset=utf-8");
    }

    private static void Gauge(StringBuilder text, string name, string help, long value) => Write(text, name, help, "gauge", value);

    private static void Counter(StringBuilder text, string name, string help, long value) => Write(text, name, help, "counter", value);

    private static void Write(StringBuilder text, string name, string help, string type, long value) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n')
            .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
