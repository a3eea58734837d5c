using System.Text.Json;
using System.Text.Json.Serialization;

namespace Herald.Client.Internal;

/// <summary>Every body the client sends or reads, serialized without reflection.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(PublishBody))]
[JsonSerializable(typeof(BroadcastBody))]
[JsonSerializable(typeof(CreateOperationBody))]
[JsonSerializable(typeof(ChannelListBody))]
[JsonSerializable(typeof(ProblemBody))]
[JsonSerializable(typeof(PublishResult))]
[JsonSerializable(typeof(BroadcastResult))]
[JsonSerializable(typeof(Operation))]
[JsonSerializable(typeof(OperationList))]
[JsonSerializable(typeof(OperationUpdate))]
[JsonSerializable(typeof(NotificationRequest))]
[JsonSerializable(typeof(Notification))]
[JsonSerializable(typeof(NotificationPage))]
[JsonSerializable(typeof(UnreadCount))]
[JsonSerializable(typeof(ServerStats))]
[JsonSerializable(typeof(DisconnectResult))]
internal sealed partial class HeraldJsonContext : JsonSerializerContext;
