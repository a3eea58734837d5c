using System.Text.Json;
using Herald.Core.Auth;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Notifications;

/// <summary>A create request (<c>POST /api/notifications</c>).</summary>
public sealed record NotificationRequest(string? User, string? Org, string? Title, string? Message, string? Level, string? Link, ReadOnlyMemory<byte> Data);

/// <summary>
/// Notification inboxes (F-NO-1, F-NO-2): persisted, delivered live as <c>notification</c> on
/// <c>user:{id}</c> (or on <c>org:{org}</c> for an organisation), and the unread count pushed as
/// <c>notifications.unread</c> on <c>user:{id}</c> whenever it changes, so every tab shows the same
/// badge. An offline user finds everything through the inbox API. Thread-safe.
/// </summary>
public sealed class NotificationService(Node node, INotificationStore store) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task _maintenance = Task.CompletedTask;

    public const int MaxTitleLength = 256;
    public const int MaxMessageLength = 4096;
    public const int MaxDataBytes = 16 * 1024;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _maintenance = NotificationMaintenance.RunAsync(node, store, _stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        await store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    public async ValueTask<(Notification? Notification, HeraldError? Error)> CreateAsync(NotificationRequest request, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(request.User) == string.IsNullOrEmpty(request.Org))
        {
            return (null, HeraldError.BadRequest("exactly one of 'user' and 'org' is required"));
        }
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > MaxTitleLength)
        {
            return (null, HeraldError.BadRequest($"'title' is required and at most {MaxTitleLength} characters"));
        }
        if (request.Message is null || request.Message.Length > MaxMessageLength)
        {
            return (null, HeraldError.BadRequest($"'message' is required and at most {MaxMessageLength} characters"));
        }
        var level = request.Level ?? "info";
        if (!Notification.Levels.Contains(level))
        {
            return (null, HeraldError.BadRequest("'level' must be one of info, success, warning, error"));
        }
        if (request.Link is { Length: > 2048 })
        {
            return (null, HeraldError.BadRequest("'link' is longer than 2048 characters"));
        }
        if (request.Data.Length > MaxDataBytes)
        {
            return (null, HeraldError.BadRequest($"'data' is larger than {MaxDataBytes} bytes"));
        }
        // The target must be a valid segment of a user or org channel.
        var channel = request.User is { } user ? $"user:{user}" : $"org:{request.Org}";
        if (node.Namespaces.Resolve(channel, node.Options.Limits.MaxChannelNameLength, out _, out _) is { } invalid)
        {
            return (null, HeraldError.BadRequest($"'{(request.User is null ? "org" : "user")}' is not a valid id: {invalid.Message}"));
        }
        var notification = new Notification
        {
            Id = Notification.NewId(),
            UserId = request.User,
            OrgId = request.User is null ? request.Org : null,
            Title = request.Title,
            Message = request.Message,
            Level = level,
            Link = request.Link,
            Data = request.Data,
            CreatedAt = node.Time.GetUtcNow(),
        };
        await store.AddAsync(notification, cancellationToken).ConfigureAwait(false);
        await node.PublishAsync(new PublishRequest(channel, "notification", Serialize(new InboxItem(notification, false))), cancellationToken).ConfigureAwait(false);
        if (notification.UserId is { } userId)
        {
            await PushUnreadAsync(userId, null, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Every member connected here gets a fresh count; others read it when they load their inbox.
            var members = node.Connections.Clients.Select(c => c.Principal).OfType<HeraldPrincipal>()
                .Where(p => p.OrgId == notification.OrgId).Select(p => p.UserId).Distinct(StringComparer.Ordinal);
            foreach (var member in members)
            {
                await PushUnreadAsync(member, notification.OrgId, cancellationToken).ConfigureAwait(false);
            }
        }
        return (notification, null);
    }

    public ValueTask<InboxPage> ListAsync(HeraldPrincipal user, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken = default) =>
        store.ListAsync(user.UserId, user.OrgId, limit, before, unreadOnly, cancellationToken);

    /// <summary>Marks one read; returns the new unread count, or null when the user cannot see it.</summary>
    public async ValueTask<int?> MarkReadAsync(HeraldPrincipal user, string id, CancellationToken cancellationToken = default) =>
        await store.MarkReadAsync(user.UserId, user.OrgId, id, cancellationToken).ConfigureAwait(false)
            ? await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false)
            : null;

    public async ValueTask<int> MarkAllReadAsync(HeraldPrincipal user, CancellationToken cancellationToken = default)
    {
        await store.MarkAllReadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false);
        return await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Dismisses one; returns the new unread count, or null when the user cannot see it.</summary>
    public async ValueTask<int?> DismissAsync(HeraldPrincipal user, string id, CancellationToken cancellationToken = default) =>
        await store.DismissAsync(user.UserId, user.OrgId, id, cancellationToken).ConfigureAwait(false)
            ? await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Publishes the user's unread count on <c>user:{id}</c> as <c>notifications.unread</c> (key <c>unread</c>).</summary>
    private async ValueTask<int> PushUnreadAsync(string userId, string? orgId, CancellationToken cancellationToken)
    {
        // For a user-addressed notification the org is known only from the user's connections here;
        // with none, nobody is listening and the inbox API gives the count on the next load.
        orgId ??= node.Connections.ForUser(userId).Select(c => c.Principal?.OrgId).FirstOrDefault(o => o is not null);
        if (orgId is null)
        {
            return -1;
        }
        var unread = await store.CountUnreadAsync(userId, orgId, cancellationToken).ConfigureAwait(false);
        await node.PublishAsync(new PublishRequest($"user:{userId}", "notifications.unread", JsonSerializer.SerializeToUtf8Bytes(new { unread }), Key: "unread"), cancellationToken).ConfigureAwait(false);
        return unread;
    }

    /// <summary>The JSON of an inbox item: the same in events and HTTP answers.</summary>
    public static byte[] Serialize(InboxItem item) => JsonBytes.Write(w => Write(w, item));

    public static void Write(Utf8JsonWriter w, InboxItem item)
    {
        var n = item.Notification;
        w.WriteStartObject();
        w.WriteString("id"u8, n.Id);
        if (n.UserId is not null)
        {
            w.WriteString("user"u8, n.UserId);
        }
        if (n.OrgId is not null)
        {
            w.WriteString("org"u8, n.OrgId);
        }
        w.WriteString("title"u8, n.Title);
        w.WriteString("message"u8, n.Message);
        w.WriteString("level"u8, n.Level);
        if (n.Link is not null)
        {
            w.WriteString("link"u8, n.Link);
        }
        w.WritePropertyName("data"u8);
        if (n.Data.IsEmpty)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(n.Data.Span, skipInputValidation: true);
        }
        w.WriteString("createdAt"u8, n.CreatedAt);
        w.WriteBoolean("read"u8, item.Read);
        w.WriteEndObject();
    }
}
