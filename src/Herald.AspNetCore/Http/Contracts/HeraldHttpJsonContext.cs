using System.Text.Json.Serialization;

namespace Herald.AspNetCore.Http.Contracts;

/// <summary>
/// Source-generated metadata for every body the HTTP API reads and writes. Herald binds and writes
/// with these options whatever the host application's JSON settings are, so the wire format is
/// fixed: camelCase names, case-sensitive fields, numbers only as JSON numbers, <c>null</c>
/// written. <c>AddHerald</c> also puts it first in the host's resolver chain, so that the OpenAPI
/// document and trimmed or AOT hosts find the same metadata.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PublishBody))]
[JsonSerializable(typeof(BroadcastBody))]
[JsonSerializable(typeof(PublishResponse))]
[JsonSerializable(typeof(BroadcastResponse))]
[JsonSerializable(typeof(HistoryResponse))]
[JsonSerializable(typeof(PresenceResponse))]
[JsonSerializable(typeof(CreateOperationBody))]
[JsonSerializable(typeof(UpdateOperationBody))]
[JsonSerializable(typeof(OperationResponse))]
[JsonSerializable(typeof(OperationListResponse))]
[JsonSerializable(typeof(CreateNotificationBody))]
[JsonSerializable(typeof(NotificationResponse))]
[JsonSerializable(typeof(InboxResponse))]
[JsonSerializable(typeof(NotificationUnreadResponse))]
[JsonSerializable(typeof(UnreadCountResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ReadyResponse))]
[JsonSerializable(typeof(StatsResponse))]
[JsonSerializable(typeof(ChannelsResponse))]
[JsonSerializable(typeof(ConnectionsResponse))]
[JsonSerializable(typeof(DisconnectResponse))]
internal sealed partial class HeraldHttpJsonContext : JsonSerializerContext;
