using System.Text.Json.Serialization;

namespace Herald.Protocol.SocketIO.Internal;

/// <summary>Source-generated metadata, so that attachments become JSON nodes without reflection.</summary>
[JsonSerializable(typeof(byte[]))]
internal sealed partial class SocketIOJsonContext : JsonSerializerContext;
