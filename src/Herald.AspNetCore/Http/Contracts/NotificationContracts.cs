using System.Text.Json.Serialization;
using Herald.Core.Notifications;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>The body of <c>POST /api/notifications</c>: exactly one of <see cref="User"/> and <see cref="Org"/>.</summary>
internal sealed record CreateNotificationBody : IRequestBody<CreateNotificationBody>
{
    /// <summary>The recipient user's id.</summary>
    public string? User { get; init; }

    /// <summary>The recipient organisation's id: every member sees it.</summary>
    public string? Org { get; init; }

    /// <summary>Required, not blank, at most 256 characters.</summary>
    public string? Title { get; init; }

    /// <summary>Required, at most 4096 characters.</summary>
    public string? Message { get; init; }

    /// <summary><c>info</c> (the default), <c>success</c>, <c>warning</c> or <c>error</c>.</summary>
    public string? Level { get; init; }

    /// <summary>Optional, at most 2048 characters.</summary>
    public string? Link { get; init; }

    /// <summary>Optional: any JSON value for the application, kept verbatim.</summary>
    public RawJsonSlice Data { get; init; }

    public static string WrongType(string field, string? member) => $"'{field}' must be a string";
}

/// <summary>A notification as its recipient sees it; <c>user</c>, <c>org</c> and <c>link</c> are left out when not set.</summary>
internal sealed record NotificationResponse
{
    public required string Id { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? User { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Org { get; init; }

    public required string Title { get; init; }

    public required string Message { get; init; }

    public required string Level { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Link { get; init; }

    public required RawJson Data { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whether this user has read it.</summary>
    public required bool Read { get; init; }

    public static NotificationResponse From(InboxItem item)
    {
        var n = item.Notification;
        return new()
        {
            Id = n.Id, User = n.UserId, Org = n.OrgId, Title = n.Title, Message = n.Message, Level = n.Level,
            Link = n.Link, Data = n.Data, CreatedAt = n.CreatedAt, Read = item.Read,
        };
    }
}

/// <summary>A page of the inbox, newest first; <c>nextCursor</c> is the last item's id when more follow, else <c>null</c>.</summary>
internal sealed record InboxResponse(IReadOnlyList<NotificationResponse> Items, int Unread, string? NextCursor);

/// <summary>The answer to marking one notification read or dismissing it: the user's new unread count.</summary>
internal sealed record NotificationUnreadResponse(string Id, int Unread);

/// <summary>The answer to marking every notification read: the user's new unread count.</summary>
internal sealed record UnreadCountResponse(int Unread);
