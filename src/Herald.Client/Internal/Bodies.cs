using System.Text.Json;

namespace Herald.Client.Internal;

internal sealed record PublishBody(string Channel, string Type, JsonElement Data, IReadOnlyDictionary<string, string>? Tags, string? Key, string IdempotencyKey);

internal sealed record BroadcastBody(IReadOnlyList<string> Channels, string Type, JsonElement Data, IReadOnlyDictionary<string, string>? Tags, string? Key, string IdempotencyKey);

internal sealed record CreateOperationBody(string Type, string Resource, JsonElement? Parameters, string? IdempotencyKey, string? Org);

internal sealed record ChannelListBody(IReadOnlyList<ChannelInfo> Channels);

internal sealed record ProblemBody(string? Title, int? Status, string? Detail, int? Code, string? ExistingId);
