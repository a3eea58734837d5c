using System.Globalization;
using System.Text.Json;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Notifications;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore.Http;

/// <summary>Notifications (F-NO-1, F-NO-2): backends send with an API key (scope publish); users read their own inbox with their token.</summary>
internal static class NotificationEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext context, Node node, NotificationService notifications)
    {
        var (_, document, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Publish, allowUsers: false).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        using (document)
        {
            var root = document!.RootElement;
            string? user = null, org = null, title = null, message = null, level = null, link = null;
            var error = JsonBody.RequireObject(root)
                ?? JsonBody.String(root, "user", out user)
                ?? JsonBody.String(root, "org", out org)
                ?? JsonBody.String(root, "title", out title)
                ?? JsonBody.String(root, "message", out message)
                ?? JsonBody.String(root, "level", out level)
                ?? JsonBody.String(root, "link", out link);
            if (error is { } e)
            {
                return HttpProblems.From(e);
            }
            var data = root.TryGetProperty("data", out var d) && d.ValueKind != JsonValueKind.Null ? JsonBody.Raw(root, "data") : default;
            var (notification, createError) = await notifications.CreateAsync(new NotificationRequest(user, org, title, message, level, link, data), context.RequestAborted).ConfigureAwait(false);
            return createError is { } ce
                ? HttpProblems.From(ce)
                : new JsonBytesResult(NotificationService.Serialize(new InboxItem(notification!, false)), StatusCodes.Status201Created);
        }
    }

    public static async Task<IResult> ListAsync(HttpContext context, Node node, NotificationService notifications)
    {
        var (user, problem) = await HttpActor.ResolveUserAsync(context, node).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        var query = context.Request.Query;
        var limit = 50;
        if (query["limit"].ToString() is { Length: > 0 } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > 200))
        {
            return HttpProblems.From(HeraldError.BadRequest("'limit' must be between 1 and 200"));
        }
        var before = query["before"].ToString();
        var unreadOnly = query["unread"].ToString() is "true" or "1";
        var page = await notifications.ListAsync(user!, limit, before.Length > 0 ? before : null, unreadOnly, context.RequestAborted).ConfigureAwait(false);
        var body = JsonBytes.Write(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("items"u8);
            foreach (var item in page.Items)
            {
                NotificationService.Write(w, item);
            }
            w.WriteEndArray();
            w.WriteNumber("unread"u8, page.Unread);
            if (page.NextCursor is null)
            {
                w.WriteNull("nextCursor"u8);
            }
            else
            {
                w.WriteString("nextCursor"u8, page.NextCursor);
            }
            w.WriteEndObject();
        }, 2048);
        return new JsonBytesResult(body, StatusCodes.Status200OK);
    }

    public static Task<IResult> MarkReadAsync(HttpContext context, Node node, NotificationService notifications, string id) =>
        ForUser(context, node, async user => await notifications.MarkReadAsync(user, id, context.RequestAborted).ConfigureAwait(false) is { } unread
            ? TypedResults.Ok(new { id, unread })
            : NotFound(id));

    public static Task<IResult> MarkAllReadAsync(HttpContext context, Node node, NotificationService notifications) =>
        ForUser(context, node, async user => TypedResults.Ok(new { unread = await notifications.MarkAllReadAsync(user, context.RequestAborted).ConfigureAwait(false) }));

    public static Task<IResult> DismissAsync(HttpContext context, Node node, NotificationService notifications, string id) =>
        ForUser(context, node, async user => await notifications.DismissAsync(user, id, context.RequestAborted).ConfigureAwait(false) is { } unread
            ? TypedResults.Ok(new { id, unread })
            : NotFound(id));

    private static async Task<IResult> ForUser(HttpContext context, Node node, Func<HeraldPrincipal, Task<IResult>> action)
    {
        var (user, problem) = await HttpActor.ResolveUserAsync(context, node).ConfigureAwait(false);
        return problem ?? await action(user!).ConfigureAwait(false);
    }

    private static IResult NotFound(string id) => HttpProblems.Result(StatusCodes.Status404NotFound, $"notification '{id}' was not found");
}
