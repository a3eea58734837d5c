namespace Herald.Messages.Requests;

/// <summary>
/// <c>connect</c>: authenticate the connection with a user token or a service's API key (each null
/// or empty when none was sent). When both are sent the API key is the one checked, as on the HTTP API.
/// </summary>
public sealed record ConnectRequest(string? Token) : HeraldRequest
{
    public override RequestKind Kind => RequestKind.Connect;

    /// <summary>The API key of a service (field <c>apiKey</c>, or the <c>X-API-Key</c> header of the upgrade request).</summary>
    public string? ApiKey { get; init; }
}
