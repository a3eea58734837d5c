namespace Herald.Core;

/// <summary>What a publisher asks for: the fields of <c>POST /api/publish</c> and of a client <c>publish</c>.</summary>
public sealed record PublishRequest(
    string? Channel,
    string? Type,
    ReadOnlyMemory<byte> Data,
    IReadOnlyDictionary<string, string>? Tags = null,
    string? Key = null);
