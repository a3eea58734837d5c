using Herald.Core.Requests;
using System.Text.Json;
using Herald.Core;
using Herald.Core.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore.Http;

/// <summary><c>POST /api/publish</c> and <c>POST /api/broadcast</c> (F-API-1), for API keys with the <c>publish</c> scope.</summary>
internal static class PublishEndpoints
{
    /// <summary>The accepted publication: its id, channel, type, time, and stream position when the channel keeps one.</summary>
    public sealed record PublishResponse(string Id, string Channel, string Type, DateTimeOffset Timestamp, long? Offset, string? Epoch);

    public sealed record BroadcastResponse(IReadOnlyList<PublishResponse> Publications);

    public static async Task<IResult> PublishAsync(HttpContext context, Node node, IOptions<HeraldOptions> options)
    {
        var (document, problem) = await JsonBody.ReadAsync(context, options.Value.Limits.MaxPublishBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        using (document)
        {
            var root = document!.RootElement;
            if (ReadTemplate(root, out var request) is { } error)
            {
                return HttpProblems.From(error);
            }
            if (JsonBody.String(root, "channel", out var channel) is { } channelError)
            {
                return HttpProblems.From(channelError);
            }
            if (channel is null)
            {
                return HttpProblems.From(HeraldError.BadRequest("'channel' is required"));
            }
            var (publication, publishError) = await node.PublishAsync(request with { Channel = channel }, context.RequestAborted).ConfigureAwait(false);
            return publishError is { } e ? HttpProblems.From(e) : TypedResults.Ok(ToResponse(publication!));
        }
    }

    public static async Task<IResult> BroadcastAsync(HttpContext context, Node node, IOptions<HeraldOptions> options)
    {
        var (document, problem) = await JsonBody.ReadAsync(context, options.Value.Limits.MaxPublishBytes).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        using (document)
        {
            var root = document!.RootElement;
            if (ReadTemplate(root, out var request) is { } error)
            {
                return HttpProblems.From(error);
            }
            if (JsonBody.StringArray(root, "channels", out var channels) is { } channelsError)
            {
                return HttpProblems.From(channelsError);
            }
            const int maxChannels = 1000;
            if (channels.Count > maxChannels)
            {
                return HttpProblems.From(HeraldError.BadRequest($"'channels' may list at most {maxChannels} channels"));
            }
            var (publications, publishError) = await node.BroadcastAsync(channels, request, context.RequestAborted).ConfigureAwait(false);
            return publishError is { } e
                ? HttpProblems.From(e)
                : TypedResults.Ok(new BroadcastResponse(publications!.Select(ToResponse).ToArray()));
        }
    }

    private static PublishResponse ToResponse(Publication p) =>
        new(p.Id, p.Channel, p.Type, DateTimeOffset.FromUnixTimeMilliseconds(p.Timestamp), p.Epoch is null ? null : p.Offset, p.Epoch);

    private static HeraldError? ReadTemplate(JsonElement root, out PublishRequest request)
    {
        request = new PublishRequest(null, null, default);
        if (JsonBody.RequireObject(root) is { } error)
        {
            return error;
        }
        string? type = null, key = null;
        Dictionary<string, string>? tags = null;
        var fieldError = JsonBody.String(root, "type", out type)
            ?? JsonBody.String(root, "key", out key)
            ?? JsonBody.StringMap(root, "tags", out tags);
        if (fieldError is not null)
        {
            return fieldError;
        }
        request = new PublishRequest(null, type, JsonBody.Raw(root, "data"), tags, key);
        return null;
    }
}
