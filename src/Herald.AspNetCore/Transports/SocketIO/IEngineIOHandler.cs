using Herald.Core;
using Herald.Messages;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>What runs on top of Engine.IO: the Socket.IO layer, or a plain Engine.IO application.</summary>
internal interface IEngineIOHandler
{
    /// <summary>A session opened (before its handshake packet is sent).</summary>
    void OnOpen(EngineIOSession session, HttpContext context);

    /// <summary>A message packet (text or binary) arrived. Calls are serialized per session.</summary>
    ValueTask OnMessageAsync(EngineIOSession session, EngineIOPacket packet);

    /// <summary>Frames to send before the transport closes for a server-side disconnect.</summary>
    IEnumerable<OutboundFrame> FinalFrames(EngineIOSession session, DisconnectCode code);

    /// <summary>The session closed, for whatever reason.</summary>
    void OnClose(EngineIOSession session);
}
