using System.Security.Cryptography;
using System.Text;
using Herald.Core;
using Herald.Core.Auth;
using Herald.Core.Channels;
using Microsoft.Extensions.Options;

namespace Herald.AspNetCore;

/// <summary>Validates <see cref="HeraldOptions"/> at start; every message names the setting at fault.</summary>
internal sealed class HeraldOptionsValidator : IValidateOptions<HeraldOptions>
{
    public ValidateOptionsResult Validate(string? name, HeraldOptions options)
    {
        var errors = new List<string>();
        ValidateCluster(errors, options);
        ValidateAuth(errors, options.Auth);
        ValidateApiKeys(errors, options.Auth);
        ValidateOrigins(errors, options);
        ValidateLimits(errors, options.Limits);
        ValidateTimersAndRetention(errors, options);
        ValidateSocketIO(errors, options.SocketIO);
        Range(errors, "Herald:ShutdownTimeoutSeconds", options.ShutdownTimeoutSeconds, 1, 3600);
        if (!(options.ShutdownReconnectWindowSeconds is >= 0 and <= 600))
        {
            errors.Add($"Herald:ShutdownReconnectWindowSeconds must be between 0 and 600 (was {options.ShutdownReconnectWindowSeconds}).");
        }
        ValidateNamespaces(errors, options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateCluster(List<string> errors, HeraldOptions options)
    {
        // Empty counts as unset, as an empty environment variable would set it.
        if (options.NodeName is { Length: > 0 } nodeName
            && (nodeName.Length > 64 || !nodeName.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
        {
            errors.Add($"Herald:NodeName must be 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-' (was '{nodeName}'); leave it unset for the machine name and a random suffix.");
        }
        var cluster = options.Cluster;
        if (cluster.HeartbeatIntervalSeconds is not (> 0 and <= 60))
        {
            errors.Add("Herald:Cluster:HeartbeatIntervalSeconds must be greater than 0 and at most 60.");
        }
        if (cluster.NodeTimeoutSeconds is not (> 0 and <= 3600) || cluster.NodeTimeoutSeconds <= 2 * cluster.HeartbeatIntervalSeconds)
        {
            errors.Add($"Herald:Cluster:NodeTimeoutSeconds must be more than twice Herald:Cluster:HeartbeatIntervalSeconds ({cluster.HeartbeatIntervalSeconds}) and at most 3600 (was {cluster.NodeTimeoutSeconds}).");
        }
    }

    private static void ValidateAuth(List<string> errors, AuthOptions auth)
    {
        if (string.IsNullOrEmpty(auth.JwtSecret) && string.IsNullOrEmpty(auth.JwtPublicKeyFile))
        {
            errors.Add("Herald:Auth: set Herald:Auth:JwtSecret (HS256) or Herald:Auth:JwtPublicKeyFile (RS256) so that user tokens can be checked.");
        }
        if (!string.IsNullOrEmpty(auth.JwtSecret) && Encoding.UTF8.GetByteCount(auth.JwtSecret) < AuthOptions.MinSecretBytes)
        {
            errors.Add($"Herald:Auth:JwtSecret must be at least {AuthOptions.MinSecretBytes} bytes long.");
        }
        if (!string.IsNullOrEmpty(auth.JwtPublicKeyFile))
        {
            if (!File.Exists(auth.JwtPublicKeyFile))
            {
                errors.Add($"Herald:Auth:JwtPublicKeyFile: the file '{auth.JwtPublicKeyFile}' does not exist.");
            }
            else
            {
                try
                {
                    using var rsa = RSA.Create();
                    rsa.ImportFromPem(File.ReadAllText(auth.JwtPublicKeyFile));
                }
                catch (Exception ex) when (ex is ArgumentException or CryptographicException or IOException)
                {
                    errors.Add($"Herald:Auth:JwtPublicKeyFile: '{auth.JwtPublicKeyFile}' does not hold an RSA public key in PEM format.");
                }
            }
        }
        if (auth.ExpiryGraceSeconds is < 0 or > 3600)
        {
            errors.Add("Herald:Auth:ExpiryGraceSeconds must be between 0 and 3600.");
        }
        if (auth.ClockSkewSeconds is < 0 or > 300)
        {
            errors.Add("Herald:Auth:ClockSkewSeconds must be between 0 and 300.");
        }
    }

    private static void ValidateApiKeys(List<string> errors, AuthOptions auth)
    {
        var keyNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < auth.ApiKeys.Count; i++)
        {
            var key = auth.ApiKeys[i];
            var at = $"Herald:Auth:ApiKeys:{i}";
            if (string.IsNullOrWhiteSpace(key.Name))
            {
                errors.Add($"{at}:Name is required.");
            }
            else if (!keyNames.Add(key.Name))
            {
                errors.Add($"{at}:Name '{key.Name}' is used by two keys.");
            }
            if (string.IsNullOrEmpty(key.Key) || key.Key.Length < 16)
            {
                errors.Add($"{at}:Key must be at least 16 characters long.");
            }
            if (key.Scopes.Count == 0)
            {
                errors.Add($"{at}:Scopes must list at least one of {ApiKeyScopes.Names}.");
            }
            foreach (var scope in key.Scopes)
            {
                if (!ApiKeyScopes.TryParse(scope, out _))
                {
                    errors.Add($"{at}:Scopes: '{scope}' is not a scope ({ApiKeyScopes.Names}).");
                }
            }
            // The organisation is compared with the first segment of channel names, so it must be one.
            if (!string.IsNullOrEmpty(key.Org) && !IsOrganisationId(key.Org))
            {
                errors.Add($"{at}:Org '{key.Org}' is not an organisation id: use A-Z, a-z, 0-9 and _ . @ = + - (as in the channel org:{key.Org}).");
            }
        }
    }

    /// <summary>One channel name segment, as the first segment of <c>org:…</c> channels.</summary>
    private static bool IsOrganisationId(string org) =>
        ChannelName.TryParse("org:" + org, int.MaxValue, out var name, out _) && !name.Rest.Contains('/');

    private static void ValidateOrigins(List<string> errors, HeraldOptions options)
    {
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var origin = options.AllowedOrigins[i];
            if (origin != "*" && (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery.Length > 1))
            {
                errors.Add($"Herald:AllowedOrigins:{i}: '{origin}' is not an origin such as https://app.example.com (or *).");
            }
        }
    }

    private static void ValidateLimits(List<string> errors, LimitsOptions limits)
    {
        Range(errors, "Herald:Limits:MaxFrameBytes", limits.MaxFrameBytes, 1024, 16 * 1024 * 1024);
        Range(errors, "Herald:Limits:MaxSubscriptionsPerConnection", limits.MaxSubscriptionsPerConnection, 1, 100_000);
        Range(errors, "Herald:Limits:MaxChannelNameLength", limits.MaxChannelNameLength, 8, 4096);
        Range(errors, "Herald:Limits:MaxConnectionsPerUser", limits.MaxConnectionsPerUser, 1, 1_000_000);
        Range(errors, "Herald:Limits:MaxMessagesPerSecond", limits.MaxMessagesPerSecond, 1, 1_000_000);
        Range(errors, "Herald:Limits:MessageBurst", limits.MessageBurst, 1, 1_000_000);
        Range(errors, "Herald:Limits:HandshakeTimeoutSeconds", limits.HandshakeTimeoutSeconds, 1, 3600);
        Range(errors, "Herald:Limits:MaxSendQueueBytes", limits.MaxSendQueueBytes, 1024, 1024 * 1024 * 1024);
        Range(errors, "Herald:Limits:MaxSendQueueMessages", limits.MaxSendQueueMessages, 1, 10_000_000);
        Range(errors, "Herald:Limits:WriteTimeoutSeconds", limits.WriteTimeoutSeconds, 1, 3600);
        Range(errors, "Herald:Limits:MaxPublishBytes", limits.MaxPublishBytes, 1024, 64 * 1024 * 1024);
        Range(errors, "Herald:Limits:IdempotencyWindowSeconds", limits.IdempotencyWindowSeconds, 1, 86400);
        Range(errors, "Herald:Limits:MaxIdempotencyKeys", limits.MaxIdempotencyKeys, 1, 10_000_000);
    }

    private static void ValidateTimersAndRetention(List<string> errors, HeraldOptions options)
    {
        if (options.Heartbeat.IntervalSeconds is <= 0 or > 3600)
        {
            errors.Add("Herald:Heartbeat:IntervalSeconds must be greater than 0 and at most 3600.");
        }
        if (options.Heartbeat.TimeoutSeconds is <= 0 or > 3600)
        {
            errors.Add("Herald:Heartbeat:TimeoutSeconds must be greater than 0 and at most 3600.");
        }
        var operations = options.Operations;
        Range(errors, "Herald:Operations:RetentionSeconds", operations.RetentionSeconds, 1, 30 * 86400);
        Range(errors, "Herald:Operations:StaleAfterSeconds", operations.StaleAfterSeconds, 1, 30 * 86400);
        Range(errors, "Herald:Operations:MaxParametersBytes", operations.MaxParametersBytes, 2, 16 * 1024 * 1024);
        Range(errors, "Herald:Operations:MaxResultBytes", operations.MaxResultBytes, 2, 16 * 1024 * 1024);
        if (operations.MaintenanceIntervalSeconds is <= 0 or > 3600)
        {
            errors.Add("Herald:Operations:MaintenanceIntervalSeconds must be greater than 0 and at most 3600.");
        }
        Range(errors, "Herald:Notifications:RetentionDays", options.Notifications.RetentionDays, 1, 3650);
    }

    private static void ValidateSocketIO(List<string> errors, SocketIOOptions socketIO)
    {
        Range(errors, "Herald:SocketIO:MaxPayload", socketIO.MaxPayload, 1024, 64 * 1024 * 1024);
        Range(errors, "Herald:SocketIO:MaxAttachments", socketIO.MaxAttachments, 0, 1000);
        for (var i = 0; i < socketIO.Namespaces.Count; i++)
        {
            var ns = socketIO.Namespaces[i];
            if (string.IsNullOrEmpty(ns) || ns[0] != '/' || ns.Contains(',', StringComparison.Ordinal) || ns.Any(char.IsWhiteSpace))
            {
                errors.Add($"Herald:SocketIO:Namespaces:{i}: '{ns}' is not a namespace such as /admin.");
            }
        }
    }

    private static void ValidateNamespaces(List<string> errors, HeraldOptions options)
    {
        foreach (var (ns, nsOptions) in options.Namespaces)
        {
            if (!ChannelName.TryParse(ns.ToLowerInvariant() + ":x", 4096, out var parsed, out _) || parsed.Namespace != ns.ToLowerInvariant())
            {
                errors.Add($"Herald:Namespaces:{ns}: a namespace name may only contain a-z, 0-9, '_' and '-'.");
            }
            if (!Enum.IsDefined(nsOptions.Scope))
            {
                errors.Add($"Herald:Namespaces:{ns}:Scope must be one of Org, User, Public, Grant.");
            }
            if (!Enum.IsDefined(nsOptions.Delivery))
            {
                errors.Add($"Herald:Namespaces:{ns}:Delivery must be one of Each, Batched, Conflated.");
            }
            Range(errors, $"Herald:Namespaces:{ns}:HistorySize", nsOptions.HistorySize, 0, 1_000_000);
            Range(errors, $"Herald:Namespaces:{ns}:HistoryTtlSeconds", nsOptions.HistoryTtlSeconds, 1, 30 * 86400);
            Range(errors, $"Herald:Namespaces:{ns}:MaxStateKeys", nsOptions.MaxStateKeys, 1, 1_000_000);
            Range(errors, $"Herald:Namespaces:{ns}:BatchMaxSize", nsOptions.BatchMaxSize, 1, 10_000);
            Range(errors, $"Herald:Namespaces:{ns}:BatchMaxDelayMs", nsOptions.BatchMaxDelayMs, 1, 60_000);
            Range(errors, $"Herald:Namespaces:{ns}:ConflationIntervalMs", nsOptions.ConflationIntervalMs, 1, 3_600_000);
        }
    }

    private static void Range(List<string> errors, string setting, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{setting} must be between {min} and {max} (was {value}).");
        }
    }
}
