using Herald.Core.Notifications;
using Microsoft.Data.Sqlite;

namespace Herald.Storage.Sqlite.Internal;

/// <summary>Turns notifications into the parameters of <see cref="Schema.NotificationsTable"/> and its rows back into inbox items.</summary>
internal static class NotificationRows
{
    public static void Bind(SqliteParameterCollection parameters, Notification notification)
    {
        parameters.AddWithValue("$id", notification.Id);
        parameters.AddWithValue("$user_id", Columns.TextOrNull(notification.UserId));
        parameters.AddWithValue("$org_id", Columns.TextOrNull(notification.OrgId));
        parameters.AddWithValue("$title", notification.Title);
        parameters.AddWithValue("$message", notification.Message);
        parameters.AddWithValue("$level", notification.Level);
        parameters.AddWithValue("$link", Columns.TextOrNull(notification.Link));
        parameters.Add("$data", SqliteType.Blob).Value = Columns.BlobOrNull(notification.Data);
        parameters.AddWithValue("$created_at", Columns.Time(notification.CreatedAt));
    }

    /// <summary>Reads a row of <c>id, user_id, org_id, title, message, level, link, data, created_at, read</c>.</summary>
    public static InboxItem Read(SqliteDataReader reader) => new(
        new Notification
        {
            Id = reader.GetString(0),
            UserId = Columns.ReadText(reader, 1),
            OrgId = Columns.ReadText(reader, 2),
            Title = reader.GetString(3),
            Message = reader.GetString(4),
            Level = reader.GetString(5),
            Link = Columns.ReadText(reader, 6),
            Data = Columns.ReadBlob(reader, 7),
            CreatedAt = Columns.ReadTime(reader, 8),
        },
        reader.GetInt64(9) != 0);
}
