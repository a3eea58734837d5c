namespace Herald.Messages.Requests;

/// <summary><c>refresh</c>: replace the token of an authenticated connection with a newer one for the same user.</summary>
public sealed record RefreshRequest(string? Token) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Refresh;
}
