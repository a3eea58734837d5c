namespace Herald.Messages.Requests;

/// <summary><c>connect</c>: authenticate the connection with a user token (null or empty when none was sent).</summary>
public sealed record ConnectRequest(string? Token) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Connect;
}
