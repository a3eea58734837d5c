using Herald.Core.Notifications;
using Npgsql;

namespace Herald.Storage.Postgres.Internal;

/// <summary>Turns notifications into the parameters of <see cref="Schema.NotificationsTable"/> and its rows back into inbox items.</summary>
internal static class NotificationRows
{
    /// <summary>Binds $1 id, $2 user_id, $3 org_id, $4 title, $5 message, $6 level, $7 link, $8 data, $9 created_at.</summary>
    public static void Bind(NpgsqlParameterCollection parameters, Notification notification)
    {
        parameters.AddText(notification.Id);
        parameters.AddTextOrNull(notification.UserId);
        parameters.AddTextOrNull(notification.OrgId);
        parameters.AddText(notification.Title);
        parameters.AddText(notification.Message);
        parameters.AddText(notification.Level);
        parameters.AddTextOrNull(notification.Link);
        parameters.AddBytesOrNull(notification.Data);
        parameters.AddTime(notification.CreatedAt);
    }

    /// <summary>Reads <c>id, user_id, org_id, title, message, level, link, data, created_at, read</c> from <paramref name="first"/> on.</summary>
    public static InboxItem Read(NpgsqlDataReader reader, int first) => new(
        new Notification
        {
            Id = reader.GetString(first),
            UserId = Columns.ReadText(reader, first + 1),
            OrgId = Columns.ReadText(reader, first + 2),
            Title = reader.GetString(first + 3),
            Message = reader.GetString(first + 4),
            Level = reader.GetString(first + 5),
            Link = Columns.ReadText(reader, first + 6),
            Data = Columns.ReadBytes(reader, first + 7),
            CreatedAt = Columns.ReadTime(reader, first + 8),
        },
        reader.GetBoolean(first + 9));
}
