namespace Herald.Protocol.SocketIO;

/// <summary>
/// The error codes of the Engine.IO HTTP error answers, as the reference server sends them in
/// <c>{"code":N,"message":"…"}</c> (see <see cref="EngineIOHttpErrors"/>).
/// </summary>
public enum EngineIOHttpErrorCode
{
    /// <summary>The <c>transport</c> query parameter is missing or not <c>polling</c>/<c>websocket</c>.</summary>
    TransportUnknown = 0,
    /// <summary>The <c>sid</c> is not (or no longer) a known session.</summary>
    SessionIdUnknown = 1,
    /// <summary>A handshake (no <c>sid</c>) with a method other than <c>GET</c>.</summary>
    BadHandshakeMethod = 2,
    /// <summary>Any other bad request (bad packet, duplicate poll, transport mismatch …).</summary>
    BadRequest = 3,
    /// <summary>The application refused the handshake (for example a disallowed origin).</summary>
    Forbidden = 4,
    /// <summary>The <c>EIO</c> query parameter is missing or not <c>4</c>.</summary>
    UnsupportedProtocolVersion = 5,
}
