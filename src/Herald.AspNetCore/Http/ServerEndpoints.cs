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

    /// <summary>The same counters as the instruments on <c>/metrics</c>, summed over transports.</summary>
    public static IResult Stats(Node node)
    {
        var m = node.Metrics;
        return HttpJson.Write(new StatsResponse(
            node.Options.NodeName, m.ConnectionsActive, m.Users, m.Channels, m.Subscriptions,
            m.MessagesIn, m.MessagesOut, m.Publications, m.Dropped, m.SlowConsumers, m.UptimeSeconds), HttpJson.Context.StatsResponse);
    }

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
}
