namespace Herald.Client;

/// <summary>
/// Where the server is and which credential <see cref="HeraldApi"/> sends. When both are set,
/// both are sent and the server checks the API key.
/// </summary>
public sealed class HeraldApiOptions
{
    /// <summary>The server's address, such as <c>http://127.0.0.1:5080</c>. Used when the HttpClient has no BaseAddress of its own.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>An API key, sent as <c>X-API-Key</c>.</summary>
    public string? ApiKey { get; set; }

    /// <summary>A user token (JWT), sent as <c>Authorization: Bearer</c>.</summary>
    public string? Token { get; set; }

    /// <summary>How often <see cref="HeraldApi.WhenCancelRequestedAsync"/> looks at the operation. Default 1 s.</summary>
    public TimeSpan CancelPollInterval { get; set; } = DefaultCancelPollInterval;

    /// <summary>The default of <see cref="CancelPollInterval"/>.</summary>
    public static readonly TimeSpan DefaultCancelPollInterval = TimeSpan.FromSeconds(1);
}
