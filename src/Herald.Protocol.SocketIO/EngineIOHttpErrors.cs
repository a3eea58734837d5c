using Herald.Protocol.SocketIO.Internal;

namespace Herald.Protocol.SocketIO;

/// <summary>
/// Bodies and statuses of Engine.IO HTTP error answers, byte for byte what the reference server
/// sends: <c>{"code":0,"message":"Transport unknown"}</c> with <c>Content-Type: application/json</c>,
/// status 403 for <see cref="EngineIOHttpErrorCode.Forbidden"/> and 400 otherwise.
/// </summary>
public static class EngineIOHttpErrors
{
    /// <summary>The content type of an error body.</summary>
    public const string ContentType = "application/json";

    /// <summary>The HTTP status to answer with.</summary>
    public static int StatusCode(EngineIOHttpErrorCode code) => code == EngineIOHttpErrorCode.Forbidden ? 403 : 400;

    /// <summary>The reference server's message for a code.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined code.</exception>
    public static string Message(EngineIOHttpErrorCode code) => code switch
    {
        EngineIOHttpErrorCode.TransportUnknown => "Transport unknown",
        EngineIOHttpErrorCode.SessionIdUnknown => "Session ID unknown",
        EngineIOHttpErrorCode.BadHandshakeMethod => "Bad handshake method",
        EngineIOHttpErrorCode.BadRequest => "Bad request",
        EngineIOHttpErrorCode.Forbidden => "Forbidden",
        EngineIOHttpErrorCode.UnsupportedProtocolVersion => "Unsupported protocol version",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not an Engine.IO HTTP error code."),
    };

    /// <summary>The JSON body for a code, as a constant (no allocation).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined code.</exception>
    public static ReadOnlySpan<byte> Body(EngineIOHttpErrorCode code) => code switch
    {
        EngineIOHttpErrorCode.TransportUnknown => """{"code":0,"message":"Transport unknown"}"""u8,
        EngineIOHttpErrorCode.SessionIdUnknown => """{"code":1,"message":"Session ID unknown"}"""u8,
        EngineIOHttpErrorCode.BadHandshakeMethod => """{"code":2,"message":"Bad handshake method"}"""u8,
        EngineIOHttpErrorCode.BadRequest => """{"code":3,"message":"Bad request"}"""u8,
        EngineIOHttpErrorCode.Forbidden => """{"code":4,"message":"Forbidden"}"""u8,
        EngineIOHttpErrorCode.UnsupportedProtocolVersion => """{"code":5,"message":"Unsupported protocol version"}"""u8,
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, "Not an Engine.IO HTTP error code."),
    };

    /// <summary>
    /// A body with a custom message, as the reference server sends when the application gives a
    /// reason (for example <c>{"code":4,"message":"origin not allowed"}</c>). The message is JSON-escaped.
    /// </summary>
    public static byte[] Body(EngineIOHttpErrorCode code, string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        _ = Message(code);
        var frame = new FrameBuilder();
        var w = frame.Json();
        w.WriteStartObject();
        w.WriteNumber("code"u8, (int)code);
        w.WriteString("message"u8, message);
        w.WriteEndObject();
        return frame.ToArray();
    }
}
