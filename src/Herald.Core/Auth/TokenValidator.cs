using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Herald.Messages;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Herald.Core.Auth;

/// <summary>The result of checking a token: a principal, or the error to answer with.</summary>
public readonly record struct TokenResult(HeraldPrincipal? Principal, HeraldErrorCode Error, string Message)
{
    public bool IsValid => Principal is not null;
}

/// <summary>
/// Validates user JWTs (F-AU-1). Algorithms are pinned: HS256 only against the configured secret,
/// RS256 only against the configured public key; <c>alg: none</c>, any other algorithm and
/// HS/RS confusion (an HMAC made with the public key) are refused. <c>exp</c> and <c>nbf</c> are
/// enforced when present; <c>sub</c> and <c>org</c> are required. Thread-safe.
/// </summary>
public sealed class TokenValidator
{
    private const int MaxTokenLength = 8192;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly TokenValidationParameters _parameters;

    public TokenValidator(AuthOptions options)
    {
        var keys = new List<SecurityKey>();
        var algorithms = new List<string>();
        if (!string.IsNullOrEmpty(options.JwtSecret))
        {
            keys.Add(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(options.JwtSecret)));
            algorithms.Add(SecurityAlgorithms.HmacSha256);
        }
        if (!string.IsNullOrEmpty(options.JwtPublicKeyFile))
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(File.ReadAllText(options.JwtPublicKeyFile));
            keys.Add(new RsaSecurityKey(rsa));
            algorithms.Add(SecurityAlgorithms.RsaSha256);
        }
        _parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = algorithms,
            ValidateIssuerSigningKey = true,
            RequireSignedTokens = true,
            RequireExpirationTime = false,
            ValidateLifetime = true,
            ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
            ValidateIssuer = !string.IsNullOrEmpty(options.Issuer),
            ValidIssuer = options.Issuer,
            ValidateAudience = !string.IsNullOrEmpty(options.Audience),
            ValidAudience = options.Audience,
            TryAllIssuerSigningKeys = true,
        };
    }

    /// <summary>Validates a compact JWT.</summary>
    public async ValueTask<TokenResult> ValidateAsync(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return new(null, HeraldErrorCode.Unauthorized, "token is missing");
        }
        if (token.Length > MaxTokenLength)
        {
            return new(null, HeraldErrorCode.Unauthorized, "token is too long");
        }
        if (!PinnedAlgorithm(token))
        {
            return new(null, HeraldErrorCode.Unauthorized, "token algorithm is not accepted");
        }
        TokenValidationResult result;
        try
        {
            result = await _handler.ValidateTokenAsync(token, _parameters).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or SecurityTokenException or JsonException or FormatException)
        {
            return new(null, HeraldErrorCode.Unauthorized, "token is malformed");
        }
        if (!result.IsValid)
        {
            return result.Exception is SecurityTokenExpiredException
                ? new(null, HeraldErrorCode.TokenExpired, "token has expired")
                : new(null, HeraldErrorCode.Unauthorized, "token is invalid");
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>("sub", out var sub) || string.IsNullOrEmpty(sub))
        {
            return new(null, HeraldErrorCode.Unauthorized, "token has no 'sub' claim");
        }
        if (!jwt.TryGetPayloadValue<string>("org", out var org) || string.IsNullOrEmpty(org))
        {
            return new(null, HeraldErrorCode.Unauthorized, "token has no 'org' claim");
        }
        List<string>? channels = null;
        if (jwt.TryGetPayloadValue<List<string>>("channels", out var list))
        {
            channels = list;
        }
        DateTimeOffset? expires = jwt.TryGetPayloadValue<long>("exp", out var exp) ? DateTimeOffset.FromUnixTimeSeconds(exp) : null;
        return new(new HeraldPrincipal(sub, org, channels, expires), default, "");
    }

    /// <summary>
    /// Checks the header's <c>alg</c> before anything else: only HS256 and RS256, and only those
    /// for which a key is configured. This refuses <c>none</c> before any signature code runs.
    /// </summary>
    private bool PinnedAlgorithm(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }
        try
        {
            var header = Base64UrlEncoder.DecodeBytes(token[..dot]);
            using var doc = JsonDocument.Parse(header);
            if (doc.RootElement.ValueKind != JsonValueKind.Object ||
                !doc.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String)
            {
                return false;
            }
            var name = alg.GetString();
            return _parameters.ValidAlgorithms.Contains(name);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            return false;
        }
    }
}
