namespace Herald.Core.Auth;

/// <summary>Authentication settings, bound from <c>Herald:Auth</c>.</summary>
public sealed class AuthOptions
{
    /// <summary>HS256 signing key for user tokens (UTF-8, at least 32 bytes).</summary>
    public string? JwtSecret { get; set; }

    /// <summary>Path of a PEM file with the RSA public key for RS256 user tokens.</summary>
    public string? JwtPublicKeyFile { get; set; }

    /// <summary>When set, tokens must carry this <c>iss</c>.</summary>
    public string? Issuer { get; set; }

    /// <summary>When set, tokens must carry this <c>aud</c>.</summary>
    public string? Audience { get; set; }

    /// <summary>Tolerated clock difference when checking <c>exp</c> and <c>nbf</c>, in seconds. Default 0.</summary>
    public int ClockSkewSeconds { get; set; }

    /// <summary>
    /// How long a connection whose token expired may still send <c>refresh</c> after being told
    /// (<c>token_expired</c>), in seconds, before it is closed with 3005. Default
    /// <see cref="DefaultExpiryGraceSeconds"/>. Connections that cannot refresh in band (SSE) end at
    /// expiry.
    /// </summary>
    public int ExpiryGraceSeconds { get; set; } = DefaultExpiryGraceSeconds;

    /// <summary>The default of <see cref="ExpiryGraceSeconds"/>.</summary>
    public const int DefaultExpiryGraceSeconds = 30;

    /// <summary>API keys for backends and workers.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Minimum length of <see cref="JwtSecret"/> in bytes (HS256 needs a 256-bit key).</summary>
    public const int MinSecretBytes = 32;
}

/// <summary>One API key: a name for logs and stats, the key itself, and its scopes.</summary>
public sealed class ApiKeyOptions
{
    public string Name { get; set; } = "";

    public string Key { get; set; } = "";

    /// <summary>Any of <c>publish</c>, <c>operations</c>, <c>subscribe</c>, <c>admin</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>
    /// The organisation the key is bound to: a connection authenticated with it, and its reads over
    /// HTTP (history, presence), see only that organisation's channels. Null or empty: every channel.
    /// </summary>
    public string? Org { get; set; }
}
