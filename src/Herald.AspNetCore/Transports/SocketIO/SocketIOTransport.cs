using Herald.Core;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>Herald's Socket.IO endpoint at <c>/socket.io/</c>: Engine.IO, Socket.IO and Herald's event mapping, assembled.</summary>
public sealed class SocketIOTransport
{
    private readonly EngineIOServer _server;

    public SocketIOTransport(Node node, OriginPolicy origins, ILoggerFactory loggers)
    {
        var options = node.Options.SocketIO;
        var logger = loggers.CreateLogger<SocketIOTransport>();
        var socketIO = new SocketIOServer(new HeraldSocketIOHandler(node, logger), options.Namespaces.ToHashSet(StringComparer.Ordinal), options.MaxAttachments, logger);
        _server = new EngineIOServer(node, origins, socketIO, SocketIOPublicationEncoder.ForNamespace(SocketIOPacket.DefaultNamespace), logger);
    }

    /// <summary>Open Engine.IO sessions.</summary>
    public int SessionCount => _server.SessionCount;

    public Task HandleAsync(HttpContext context) => _server.HandleAsync(context);
}
