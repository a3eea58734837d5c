namespace Herald.Core.Notifications;

/// <summary>
/// A notification for one user (<see cref="UserId"/>) or for every member of an
/// organisation (<see cref="OrgId"/>); exactly one of the two is set. Read and dismissed are
/// per user, kept by the store.
/// </summary>
public sealed record Notification
{
    public required string Id { get; init; }

    public string? UserId { get; init; }

    public string? OrgId { get; init; }

    public required string Title { get; init; }

    public required string Message { get; init; }

    /// <summary><c>info</c>, <c>success</c>, <c>warning</c> or <c>error</c>.</summary>
    public required string Level { get; init; }

    public string? Link { get; init; }

    /// <summary>Extra JSON for the application; empty when none.</summary>
    public ReadOnlyMemory<byte> Data { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Ids sort by creation time.</summary>
    public static string NewId() => Internal.SortableId.Next("n_");

    public static readonly IReadOnlySet<string> Levels = new HashSet<string>(StringComparer.Ordinal) { "info", "success", "warning", "error" };
}

/// <summary>A notification as one user sees it.</summary>
public sealed record InboxItem(Notification Notification, bool Read);

/// <summary>A page of a user's inbox, newest first, and the user's unread count.</summary>
public sealed record InboxPage(IReadOnlyList<InboxItem> Items, int Unread, string? NextCursor);
