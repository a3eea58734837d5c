using Herald.Core;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>Herald's Socket.IO endpoint at <c>/socket.io/</c>: Engine.IO, Socket.IO and Herald's event mapping, assembled.</summary>
internal sealed class SocketIOTransport
{
    private readonly EngineIOServer _server;

    public SocketIOTransport(Node node, OriginPolicy origins, ILoggerFactory loggers)
    {
        var options = node.Options.SocketIO;
        var logger = loggers.CreateLogger<SocketIOTransport>();
        // One encoder per namespace, owned by this transport and so by its node.
        var encoders = options.Namespaces.Distinct(StringComparer.Ordinal).ToDictionary(n => n, n => new SocketIOPublicationEncoder(n), StringComparer.Ordinal);
        var main = encoders.GetValueOrDefault(SocketIOPacket.DefaultNamespace) ?? new SocketIOPublicationEncoder(SocketIOPacket.DefaultNamespace);
        var socketIO = new SocketIOServer(new HeraldSocketIOHandler(node, logger), encoders, options.MaxAttachments, logger);
        _server = new EngineIOServer(node, origins, socketIO, main, logger);
    }

    /// <summary>Open Engine.IO sessions.</summary>
    public int SessionCount => _server.SessionCount;

    public Task HandleAsync(HttpContext context) => _server.HandleAsync(context);
}
