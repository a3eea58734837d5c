using Herald.AspNetCore.Http.Contracts;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Messages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Http;

/// <summary>Health, readiness, stats, channels and forced disconnects; <c>/metrics</c> is <see cref="MetricsEndpoint"/>.</summary>
internal static class ServerEndpoints
{
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
        if (node.History is { } history && !await Healthy(() => history.IsHealthyAsync(cancellationToken)).ConfigureAwait(false))
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

    /// <summary>
    /// This node's counters (the same as the instruments on <c>/metrics</c>, summed over
    /// transports), every registered node's latest report (this node's as of now) and their sums;
    /// this node alone when the registry cannot be read.
    /// </summary>
    public static async Task<IResult> StatsAsync(Node node, CancellationToken cancellationToken)
    {
        var m = node.Metrics;
        var self = node.Report();
        IReadOnlyList<Herald.Core.Cluster.NodeReport> registered;
        try
        {
            registered = await node.Membership.ListNodesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The registry is out of reach (its database is down): this node still reports itself.
            registered = [];
        }
        var reports = registered
            .Where(r => r.Name != self.Name).Append(self).OrderBy(r => r.Name, StringComparer.Ordinal)
            .Select(r => new NodeStats(r.Name, r.Version, r.StartedAt, r.LastSeen, r.Connections, r.Users, r.Channels, r.Subscriptions,
                r.MessagesIn, r.MessagesOut, r.Publications, r.Dropped, r.SlowConsumers))
            .ToArray();
        var totals = new ClusterTotals(reports.Length, reports.Sum(r => r.Connections), reports.Sum(r => r.Users), reports.Sum(r => r.Channels),
            reports.Sum(r => r.Subscriptions), reports.Sum(r => r.MessagesIn), reports.Sum(r => r.MessagesOut), reports.Sum(r => r.Publications),
            reports.Sum(r => r.Dropped), reports.Sum(r => r.SlowConsumers));
        return HttpJson.Write(new StatsResponse(
            node.Name, m.ConnectionsActive, m.Users, m.Channels, m.Subscriptions,
            m.MessagesIn, m.MessagesOut, m.Publications, m.Dropped, m.SlowConsumers, m.UptimeSeconds, reports, totals), HttpJson.Context.StatsResponse);
    }

    public static IResult Channels(Node node, string? prefix) => HttpJson.Write(new ChannelsResponse(node.ChannelsSnapshot()
        .Where(c => prefix is null || c.Key.StartsWith(prefix, StringComparison.Ordinal))
        .OrderBy(c => c.Key, StringComparer.Ordinal)
        .Select(c => new ChannelInfo(c.Key, c.Value))
        .ToArray()), HttpJson.Context.ChannelsResponse);

    /// <summary>
    /// This node's connections, optionally of one user: a snapshot, so a connection that opens or
    /// closes meanwhile may or may not be listed. Per node, like <see cref="Channels"/>.
    /// </summary>
    public static IResult Connections(Node node, string? user) => HttpJson.Write(new ConnectionsResponse(node.Name, node.Connections.Clients
        .Select(c => (Client: c, c.Principal))
        .Where(c => user is null || c.Principal?.UserId == user)
        .OrderBy(c => c.Principal?.UserId, StringComparer.Ordinal).ThenBy(c => c.Client.Id, StringComparer.Ordinal)
        .Select(c => new ConnectionEntry(c.Client.Id, c.Principal?.UserId, c.Principal?.OrgId, c.Client.Transport,
            c.Client.Channels.Order(StringComparer.Ordinal).ToArray()))
        .ToArray()), HttpJson.Context.ConnectionsResponse);

    /// <summary>Disconnects the user on every node; answers with the count of this node's connections.</summary>
    public static async Task<IResult> DisconnectUserAsync(HttpContext context, Node node, string id, ILogger<Node> logger, CancellationToken cancellationToken)
    {
        var count = await node.DisconnectUserEverywhereAsync(id, DisconnectCode.ForceDisconnect, cancellationToken).ConfigureAwait(false);
        var key = (ApiKey)context.Items[typeof(ApiKey)]!;
        logger.UserDisconnected(key.Name, id, count);
        return HttpJson.Write(new DisconnectResponse(id, count, node.Name), HttpJson.Context.DisconnectResponse);
    }
}
