using System.Security.Cryptography;
using System.Text;
using Herald.Messages;

namespace Herald.Core.Auth;

/// <summary>
/// An API key as the server holds it: name, SHA-256 of the key, scopes, and the organisation it is
/// bound to (null: every organisation). The key itself is not kept.
/// </summary>
public sealed record ApiKey(string Name, byte[] KeyHash, ApiKeyScope Scopes, string? Org = null);

/// <summary>
/// Checks presented API keys. Keys are held only as SHA-256 hashes, and the comparison runs in
/// constant time over every configured key, so neither timing nor memory reveals a key.
/// Immutable after construction; thread-safe.
/// </summary>
public sealed class ApiKeyStore
{
    /// <summary>The answer to a key that matches none configured.</summary>
    public const string InvalidKey = "the API key is not valid";

    private readonly ApiKey[] _keys;

    public ApiKeyStore(IEnumerable<ApiKeyOptions> keys)
    {
        _keys = keys.Select(k =>
        {
            var scopes = ApiKeyScope.None;
            foreach (var s in k.Scopes)
            {
                if (ApiKeyScopes.TryParse(s, out var parsed))
                {
                    scopes |= parsed;
                }
            }
            return new ApiKey(k.Name, Hash(k.Key), scopes, string.IsNullOrEmpty(k.Org) ? null : k.Org);
        }).ToArray();
    }

    public int Count => _keys.Length;

    /// <summary>Finds the key matching <paramref name="presented"/>, or null.</summary>
    public ApiKey? Find(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty || presented.Length > 1024)
        {
            return null;
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var maxBytes = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var buffer = maxBytes <= 1024 ? stackalloc byte[maxBytes] : new byte[maxBytes];
        var length = Encoding.UTF8.GetBytes(presented, buffer);
        SHA256.HashData(buffer[..length], hash);
        ApiKey? found = null;
        foreach (var key in _keys)
        {
            // No early exit: every key is compared, so the time does not depend on which one matched.
            if (CryptographicOperations.FixedTimeEquals(hash, key.KeyHash))
            {
                found = key;
            }
        }
        return found;
    }

    /// <summary>
    /// Checks a key presented by a connection (WebSocket, Socket.IO, SSE): it must be known and have
    /// the <see cref="ApiKeyScope.Subscribe"/> scope (or <see cref="ApiKeyScope.Admin"/>). The result
    /// is refused as a token is, with <see cref="HeraldErrorCode.Unauthorized"/> and a message that
    /// names the key, never the secret.
    /// </summary>
    public TokenResult ValidateForConnection(ReadOnlySpan<char> presented)
    {
        if (Find(presented) is not { } key)
        {
            return new(null, HeraldErrorCode.Unauthorized, InvalidKey);
        }
        if (!key.Scopes.Allows(ApiKeyScope.Subscribe))
        {
            return new(null, HeraldErrorCode.Unauthorized, $"the API key '{key.Name}' lacks the 'subscribe' scope");
        }
        return new(HeraldPrincipal.ForApiKey(key), default, "");
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}
