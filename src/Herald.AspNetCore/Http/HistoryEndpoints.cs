using System.Globalization;
using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Messages;
using Herald.Messages.History;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>
/// <c>GET /api/history?channel=…&amp;since=…&amp;epoch=…&amp;limit=…</c>: what a channel
/// published, for clients without a streaming transport (a user's JWT, scoped like a subscription)
/// and for backends (any valid API key). The body is the native <c>history</c> answer.
/// </summary>
internal static class HistoryEndpoints
{
    public static async Task<IResult> GetAsync(HttpContext context, Node node)
    {
        var query = context.Request.Query;
        var channel = query["channel"].ToString();
        if (string.IsNullOrEmpty(channel))
        {
            return HttpProblems.From(HeraldError.BadRequest("the 'channel' query parameter is required"));
        }
        if (await AuthorizeAsync(context, node, channel).ConfigureAwait(false) is { } denied)
        {
            return denied;
        }
        long? since = null;
        if (query["since"].ToString() is { Length: > 0 } sinceText)
        {
            if (!long.TryParse(sinceText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return HttpProblems.From(HeraldError.BadRequest("'since' must be a non-negative integer offset"));
            }
            since = parsed;
        }
        int? limit = null;
        if (query["limit"].ToString() is { Length: > 0 } limitText)
        {
            if (!int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
            {
                return HttpProblems.From(HeraldError.BadRequest($"'limit' must be an integer between 1 and {Node.MaxHistoryLimit}"));
            }
            limit = parsed;
        }
        var epoch = query["epoch"].ToString();
        StreamPosition? position = since is { } offset && epoch.Length > 0 ? new StreamPosition(offset, epoch) : null;
        var (page, error) = await node.ReadHistoryAsync(channel, position, since, limit, context.RequestAborted).ConfigureAwait(false);
        return error is { } e
            ? HttpProblems.From(e)
            : HttpJson.Write(HistoryResponse.From(channel, page!), HttpJson.Context.HistoryResponse);
    }

    /// <summary>An API key (any scope) may read any channel, or its organisation's when bound to one; a user token only what it could subscribe to.</summary>
    private static async Task<IResult?> AuthorizeAsync(HttpContext context, Node node, string channel)
    {
        var (reader, problem) = await HttpActor.ResolveReaderAsync(context, node).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        if (node.Namespaces.Resolve(channel, node.Options.Limits.MaxChannelNameLength, out var name, out var options) is { } error)
        {
            return HttpProblems.From(error);
        }
        return ChannelAuthorizer.CanRead(reader!, name, options)
            ? null
            : HttpProblems.From(new HeraldError(HeraldErrorCode.PermissionDenied, $"permission denied for channel '{channel}'"));
    }
}
