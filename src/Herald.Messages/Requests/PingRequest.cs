namespace Herald.Messages.Requests;

/// <summary><c>ping</c> from the client (answered with <c>pong</c>), or <c>pong</c>, the answer to the server's heartbeat.</summary>
public sealed record PingRequest : HeraldRequest
{
    private PingRequest(RequestKind kind) => Kind = kind;

    /// <summary>A client ping.</summary>
    public static PingRequest Ping { get; } = new(RequestKind.Ping);

    /// <summary>A client's answer to the server's ping.</summary>
    public static PingRequest Pong { get; } = new(RequestKind.Pong);

    public override RequestKind Kind { get; }
}
