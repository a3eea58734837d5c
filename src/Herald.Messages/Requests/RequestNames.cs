using System.Collections.Frozen;

namespace Herald.Messages.Requests;

/// <summary>
/// The wire names of the requests, the one place where they and their aliases are declared. The
/// native protocol names a request in its <c>type</c>; Socket.IO in the event name, where
/// <c>history</c> is accepted for <c>request_history</c> (the name Socket.IO users reach for).
/// </summary>
public static class RequestNames
{
    private static readonly FrozenDictionary<string, RequestKind> Native = new Dictionary<string, RequestKind>(StringComparer.Ordinal)
    {
        ["connect"] = RequestKind.Connect,
        ["ping"] = RequestKind.Ping,
        ["pong"] = RequestKind.Pong,
        ["subscribe"] = RequestKind.Subscribe,
        ["unsubscribe"] = RequestKind.Unsubscribe,
        ["update_filter"] = RequestKind.UpdateFilter,
        ["request_history"] = RequestKind.History,
        ["publish"] = RequestKind.Publish,
        ["presence"] = RequestKind.Presence,
        ["refresh"] = RequestKind.Refresh,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    // Connecting, pinging and answering pings are Engine.IO's and the namespace CONNECT's business there.
    private static readonly FrozenDictionary<string, RequestKind> SocketIOEvents = new Dictionary<string, RequestKind>(StringComparer.Ordinal)
    {
        ["subscribe"] = RequestKind.Subscribe,
        ["unsubscribe"] = RequestKind.Unsubscribe,
        ["update_filter"] = RequestKind.UpdateFilter,
        ["request_history"] = RequestKind.History,
        ["history"] = RequestKind.History,
        ["publish"] = RequestKind.Publish,
        ["presence"] = RequestKind.Presence,
        ["refresh"] = RequestKind.Refresh,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The request a native <c>type</c> names.</summary>
    public static bool TryGetNative(string type, out RequestKind kind) => Native.TryGetValue(type, out kind);

    /// <summary>The request a Socket.IO event names.</summary>
    public static bool TryGetSocketIOEvent(string name, out RequestKind kind) => SocketIOEvents.TryGetValue(name, out kind);

    /// <summary>The native name of a request, as used in messages.</summary>
    public static string NativeName(RequestKind kind) => kind switch
    {
        RequestKind.UpdateFilter => "update_filter",
        RequestKind.History => "request_history",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
