namespace Herald.Protocol;

/// <summary>The client → server message types of the native protocol (docs/protocol.md).</summary>
public enum NativeMessageType
{
    Unknown,
    Connect,
    Ping,
    Pong,
    Subscribe,
    Unsubscribe,
    UpdateFilter,
    Publish,
    RequestHistory,
    Presence,
}
