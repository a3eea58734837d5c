using System.Text.Json.Serialization;

namespace Herald.Protocol.SocketIO.Internal;

/// <summary>Source-generated metadata, so that attachments become JSON nodes without reflection.</summary>
[JsonSerializable(typeof(byte[]))]
[JsonSerializable(typeof(System.Text.Json.Nodes.JsonArray))]
internal sealed partial class SocketIOJsonContext : JsonSerializerContext;
