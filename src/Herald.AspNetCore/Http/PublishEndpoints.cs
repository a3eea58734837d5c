using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Messages;
using Herald.Messages.Requests;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore.Http;

/// <summary><c>POST /api/publish</c> and <c>POST /api/broadcast</c>, for API keys with the <c>publish</c> scope (checked by the route's filter).</summary>
internal static class PublishEndpoints
{
    /// <summary>At most this many channels in one broadcast.</summary>
    public const int MaxBroadcastChannels = 1000;

    /// <summary>The <c>Idempotency-Key</c> header, the HTTP way to say what the body's <c>idempotencyKey</c> says.</summary>
    private static string? IdempotencyHeader(HttpContext context) =>
        context.Request.Headers.TryGetValue("Idempotency-Key", out var values) && values.Count == 1 ? values[0] : null;

    public static async Task<IResult> PublishAsync(HttpContext context, Node node, IOptions<HeraldOptions> options)
    {
        var (body, problem) = await JsonBody.ReadAsync(context, options.Value.Limits.MaxPublishBytes, HttpJson.Context.PublishBody).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        PublishRequest request;
        using (body)
        {
            var b = body.Value;
            if (b.Channel is null)
            {
                return HttpProblems.From(HeraldError.BadRequest("'channel' is required"));
            }
            request = new PublishRequest(b.Channel, b.Type, body.Copy(b.Data), b.Tags, b.Key, b.IdempotencyKey ?? IdempotencyHeader(context));
        }
        var (publication, error) = await node.PublishAsync(request, context.RequestAborted).ConfigureAwait(false);
        return error is { } e
            ? HttpProblems.From(e)
            : HttpJson.Write(PublishResponse.From(publication!), HttpJson.Context.PublishResponse);
    }

    public static async Task<IResult> BroadcastAsync(HttpContext context, Node node, IOptions<HeraldOptions> options)
    {
        var (body, problem) = await JsonBody.ReadAsync(context, options.Value.Limits.MaxPublishBytes, HttpJson.Context.BroadcastBody).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        PublishRequest template;
        List<string> channels;
        using (body)
        {
            var b = body.Value;
            channels = b.Channels!;
            if (channels.Count > MaxBroadcastChannels)
            {
                return HttpProblems.From(HeraldError.BadRequest($"'channels' may list at most {MaxBroadcastChannels} channels"));
            }
            template = new PublishRequest(null, b.Type, body.Copy(b.Data), b.Tags, b.Key, b.IdempotencyKey ?? IdempotencyHeader(context));
        }
        var (publications, error) = await node.BroadcastAsync(channels, template, context.RequestAborted).ConfigureAwait(false);
        return error is { } e
            ? HttpProblems.From(e)
            : HttpJson.Write(new BroadcastResponse(publications!.Select(PublishResponse.From).ToArray()), HttpJson.Context.BroadcastResponse);
    }
}
