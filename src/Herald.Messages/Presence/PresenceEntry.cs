namespace Herald.Messages.Presence;

/// <summary>One user present in a channel: how many of their connections are subscribed, and the info of the newest.</summary>
public sealed record PresenceEntry(string UserId, int Connections, ReadOnlyMemory<byte> Info, DateTimeOffset Since);
