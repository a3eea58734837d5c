using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Messages;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary><c>GET /api/presence?channel=…</c>: who is in a channel, on every node; a user's token sees only channels it may read, an API key any (or its organisation's, when bound to one).</summary>
internal static class PresenceEndpoints
{
    public static async Task<IResult> GetAsync(HttpContext context, Node node)
    {
        var (reader, problem) = await HttpActor.ResolveReaderAsync(context, node).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var channel = context.Request.Query["channel"].ToString();
        if (channel.Length == 0)
        {
            return HttpProblems.From(HeraldError.BadRequest("the 'channel' query parameter is required"));
        }
        if (node.Namespaces.Resolve(channel, node.Options.Limits.MaxChannelNameLength, out var name, out var options) is { } invalid)
        {
            return HttpProblems.From(invalid);
        }
        if (!ChannelAuthorizer.CanRead(reader!, name, options))
        {
            return HttpProblems.From(new HeraldError(HeraldErrorCode.PermissionDenied, $"permission denied for channel '{channel}'"));
        }
        var (users, error) = await node.GetPresenceAsync(channel, context.RequestAborted).ConfigureAwait(false);
        if (error is { } e)
        {
            return HttpProblems.From(e);
        }
        var answer = new PresenceResponse(channel, users!.Select(PresenceUser.From).ToArray());
        return HttpJson.Write(answer, HttpJson.Context.PresenceResponse);
    }
}
