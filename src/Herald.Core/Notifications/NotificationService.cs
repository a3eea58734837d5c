using System.Text.Json;
using Herald.Core.Auth;
using Herald.Core.Cluster;
using Herald.Core.Internal;
using Herald.Messages;
using Herald.Messages.Requests;

namespace Herald.Core.Notifications;

/// <summary>A create request (<c>POST /api/notifications</c>).</summary>
public sealed record NotificationRequest(string? User, string? Org, string? Title, string? Message, string? Level, string? Link, ReadOnlyMemory<byte> Data);

/// <summary>
/// Notification inboxes: persisted, delivered live as <c>notification</c> on
/// <c>user:{id}</c> (or on <c>org:{org}</c> for an organisation), and the unread count pushed as
/// <c>notifications.unread</c> on <c>user:{id}</c> whenever it changes, so every tab shows the same
/// badge. An offline user finds everything through the inbox API. Thread-safe.
/// </summary>
/// <remarks>
/// Across a cluster the store holds the inboxes, and the live events reach every node through the
/// broker. A count is pushed by a node that knows the recipient's organisation from a local
/// connection: for a new notification of a user connected elsewhere, or of an organisation, the
/// node that created it also signals every other node (<see cref="ClusterSignals"/>) to push the
/// counts of its own connected recipients. A user connected to several nodes may so get the same
/// count more than once; it is keyed <c>unread</c>, and the last one wins.
/// </remarks>
public sealed class NotificationService : IAsyncDisposable
{
    /// <summary>The signal that asks every node to push unread counts to its connected recipients: <c>{"user":…}</c> or <c>{"org":…}</c>.</summary>
    internal const string UnreadSignal = "notifications.unread";

    private readonly Node _node;
    private readonly INotificationStore _store;
    private readonly IDisposable _unreadSignal;
    private readonly CancellationTokenSource _stopping = new();
    private Task _maintenance = Task.CompletedTask;

    public NotificationService(Node node, INotificationStore store)
    {
        _node = node;
        _store = store;
        _unreadSignal = node.Signals.On(UnreadSignal, OnUnreadSignal);
    }

    public const int MaxTitleLength = 256;
    public const int MaxMessageLength = 4096;
    public const int MaxDataBytes = 16 * 1024;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _store.InitializeAsync(cancellationToken).ConfigureAwait(false);
        _maintenance = NotificationMaintenance.RunAsync(_node, _store, _stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _unreadSignal.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _maintenance.ConfigureAwait(false);
        await _store.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    public async ValueTask<(Notification? Notification, HeraldError? Error)> CreateAsync(NotificationRequest request, CancellationToken cancellationToken = default)
    {
        if (ValidateFields(request) is { } error)
        {
            return (null, error);
        }
        var level = request.Level ?? "info";
        // The target must be a valid segment of a user or org channel.
        var channel = request.User is { } user ? $"user:{user}" : $"org:{request.Org}";
        if (_node.Namespaces.Resolve(channel, _node.Options.Limits.MaxChannelNameLength, out _, out _) is { } invalid)
        {
            return (null, HeraldError.BadRequest($"'{(request.User is null ? "org" : "user")}' is not a valid id: {invalid.Message}"));
        }
        var notification = new Notification
        {
            Id = Notification.NewId(),
            UserId = request.User,
            OrgId = request.User is null ? request.Org : null,
            // ValidateFields has refused a missing title or message.
            Title = request.Title!,
            Message = request.Message!,
            Level = level,
            Link = request.Link,
            Data = request.Data,
            CreatedAt = _node.Time.GetUtcNow(),
        };
        await _store.AddAsync(notification, cancellationToken).ConfigureAwait(false);
        await _node.PublishAsync(new PublishRequest(channel, "notification", Serialize(new InboxItem(notification, false))), cancellationToken).ConfigureAwait(false);
        await PushUnreadToRecipientsAsync(notification, cancellationToken).ConfigureAwait(false);
        return (notification, null);
    }

    /// <summary>Checks the target is one of user and org, and the title, message, level, link and data limits.</summary>
    private static HeraldError? ValidateFields(NotificationRequest request)
    {
        if (string.IsNullOrEmpty(request.User) == string.IsNullOrEmpty(request.Org))
        {
            return HeraldError.BadRequest("exactly one of 'user' and 'org' is required");
        }
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > MaxTitleLength)
        {
            return HeraldError.BadRequest($"'title' is required and at most {MaxTitleLength} characters");
        }
        if (request.Message is null || request.Message.Length > MaxMessageLength)
        {
            return HeraldError.BadRequest($"'message' is required and at most {MaxMessageLength} characters");
        }
        if (!Notification.Levels.Contains(request.Level ?? "info"))
        {
            return HeraldError.BadRequest("'level' must be one of info, success, warning, error");
        }
        if (request.Link is { Length: > 2048 })
        {
            return HeraldError.BadRequest("'link' is longer than 2048 characters");
        }
        if (request.Data.Length > MaxDataBytes)
        {
            return HeraldError.BadRequest($"'data' is larger than {MaxDataBytes} bytes");
        }
        return null;
    }

    /// <summary>
    /// Pushes the new unread count to the user, or to every member of the organisation connected
    /// here, and has the other nodes push it to the recipients connected there.
    /// </summary>
    private async ValueTask PushUnreadToRecipientsAsync(Notification notification, CancellationToken cancellationToken)
    {
        if (notification.UserId is { } userId)
        {
            // Pushed here, the count reaches the user's connections on every _node through the broker.
            if (await PushUnreadAsync(userId, null, cancellationToken).ConfigureAwait(false) < 0)
            {
                await SignalUnreadAsync(("user", userId), cancellationToken).ConfigureAwait(false);
            }
            return;
        }
        await PushUnreadToMembersAsync(notification.OrgId!, cancellationToken).ConfigureAwait(false);
        await SignalUnreadAsync(("org", notification.OrgId), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every member connected here gets a fresh count; others read it when they load their inbox.</summary>
    private async ValueTask PushUnreadToMembersAsync(string orgId, CancellationToken cancellationToken)
    {
        var members = _node.Connections.Clients.Select(c => c.Principal).OfType<HeraldPrincipal>()
            .Where(p => p.OrgId == orgId).Select(p => p.UserId).Distinct(StringComparer.Ordinal).ToList();
        foreach (var member in members)
        {
            await PushUnreadAsync(member, orgId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async ValueTask SignalUnreadAsync((string Name, string? Value) recipient, CancellationToken cancellationToken)
    {
        try
        {
            await _node.Signals.SendAsync(UnreadSignal, SignalData.Write(recipient), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The notification is stored and published; the count is right at the next inbox load.
            _node.Logger.ClusterSignalSendFailed(ex, UnreadSignal);
        }
    }

    private void OnUnreadSignal(ClusterSignal signal)
    {
        if (signal.From != _node.Name)
        {
            _ = PushSignalledUnreadAsync(signal);
        }
    }

    private async Task PushSignalledUnreadAsync(ClusterSignal signal)
    {
        try
        {
            if (SignalData.Read(signal.Data, "user") is { } user)
            {
                await PushUnreadAsync(user, null, _stopping.Token).ConfigureAwait(false);
            }
            else if (SignalData.Read(signal.Data, "org") is { } org)
            {
                await PushUnreadToMembersAsync(org, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _node.Logger.ClusterSignalFailed(ex, signal.Type, signal.From);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public ValueTask<InboxPage> ListAsync(HeraldPrincipal user, int limit, string? before, bool unreadOnly, CancellationToken cancellationToken = default) =>
        _store.ListAsync(user.UserId, user.OrgId, limit, before, unreadOnly, cancellationToken);

    /// <summary>Marks one read; returns the new unread count, or null when the user cannot see it.</summary>
    public async ValueTask<int?> MarkReadAsync(HeraldPrincipal user, string id, CancellationToken cancellationToken = default) =>
        await _store.MarkReadAsync(user.UserId, user.OrgId, id, cancellationToken).ConfigureAwait(false)
            ? await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false)
            : null;

    public async ValueTask<int> MarkAllReadAsync(HeraldPrincipal user, CancellationToken cancellationToken = default)
    {
        await _store.MarkAllReadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false);
        return await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Dismisses one; returns the new unread count, or null when the user cannot see it.</summary>
    public async ValueTask<int?> DismissAsync(HeraldPrincipal user, string id, CancellationToken cancellationToken = default) =>
        await _store.DismissAsync(user.UserId, user.OrgId, id, cancellationToken).ConfigureAwait(false)
            ? await PushUnreadAsync(user.UserId, user.OrgId, cancellationToken).ConfigureAwait(false)
            : null;

    /// <summary>Publishes the user's unread count on <c>user:{id}</c> as <c>notifications.unread</c> (key <c>unread</c>).</summary>
    private async ValueTask<int> PushUnreadAsync(string userId, string? orgId, CancellationToken cancellationToken)
    {
        // For a user-addressed notification the org is known only from the user's connections here;
        // with none, nobody is listening and the inbox API gives the count on the next load.
        orgId ??= _node.Connections.ForUser(userId).Select(c => c.Principal?.OrgId).FirstOrDefault(o => o is not null);
        if (orgId is null)
        {
            return -1;
        }
        var unread = await _store.CountUnreadAsync(userId, orgId, cancellationToken).ConfigureAwait(false);
        await _node.PublishAsync(new PublishRequest($"user:{userId}", "notifications.unread", JsonSerializer.SerializeToUtf8Bytes(new { unread }), Key: "unread"), cancellationToken).ConfigureAwait(false);
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
