using System.Globalization;
using Herald.AspNetCore.Http.Contracts;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Notifications;
using Herald.Messages;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Http;

/// <summary>Notifications: backends send with an API key (scope publish); users read their own inbox with their token.</summary>
internal static class NotificationEndpoints
{
    public static async Task<IResult> CreateAsync(HttpContext context, Node node, NotificationService notifications)
    {
        var (_, body, problem) = await HttpActor.ReadJsonAsync(context, node, ApiKeyScope.Publish, allowUsers: false, HttpJson.Context.CreateNotificationBody).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }
        NotificationRequest request;
        using (body)
        {
            var b = body.Value;
            request = new NotificationRequest(b.User, b.Org, b.Title, b.Message, b.Level, b.Link, b.Data.HasValue ? body.Copy(b.Data) : default);
        }
        var (notification, error) = await notifications.CreateAsync(request, context.RequestAborted).ConfigureAwait(false);
        return error is { } e
            ? HttpProblems.From(e)
            : HttpJson.Write(NotificationResponse.From(new InboxItem(notification!, false)), HttpJson.Context.NotificationResponse, StatusCodes.Status201Created);
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
        var answer = new InboxResponse(page.Items.Select(NotificationResponse.From).ToArray(), page.Unread, page.NextCursor);
        return HttpJson.Write(answer, HttpJson.Context.InboxResponse);
    }

    public static Task<IResult> MarkReadAsync(HttpContext context, Node node, NotificationService notifications, string id) =>
        ForUser(context, node, async user => await notifications.MarkReadAsync(user, id, context.RequestAborted).ConfigureAwait(false) is { } unread
            ? HttpJson.Write(new NotificationUnreadResponse(id, unread), HttpJson.Context.NotificationUnreadResponse)
            : NotFound(id));

    public static Task<IResult> MarkAllReadAsync(HttpContext context, Node node, NotificationService notifications) =>
        ForUser(context, node, async user => HttpJson.Write(
            new UnreadCountResponse(await notifications.MarkAllReadAsync(user, context.RequestAborted).ConfigureAwait(false)), HttpJson.Context.UnreadCountResponse));

    public static Task<IResult> DismissAsync(HttpContext context, Node node, NotificationService notifications, string id) =>
        ForUser(context, node, async user => await notifications.DismissAsync(user, id, context.RequestAborted).ConfigureAwait(false) is { } unread
            ? HttpJson.Write(new NotificationUnreadResponse(id, unread), HttpJson.Context.NotificationUnreadResponse)
            : NotFound(id));

    private static async Task<IResult> ForUser(HttpContext context, Node node, Func<HeraldPrincipal, Task<IResult>> action)
    {
        var (user, problem) = await HttpActor.ResolveUserAsync(context, node).ConfigureAwait(false);
        return problem ?? await action(user!).ConfigureAwait(false);
    }

    private static IResult NotFound(string id) => HttpProblems.Result(StatusCodes.Status404NotFound, $"notification '{id}' was not found");
}
