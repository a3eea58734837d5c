namespace Herald.Core.Notifications;

/// <summary>Notification settings, bound from <c>Herald:Notifications</c>.</summary>
public sealed class NotificationsOptions
{
    public const int DefaultRetentionDays = 30;

    /// <summary>How long notifications are kept, read or not.</summary>
    public int RetentionDays { get; set; } = DefaultRetentionDays;
}
