using System.Collections.Frozen;
using Herald.Messages;

namespace Herald.Core.Channels;

/// <summary>Resolves a channel name to its namespace's options. Immutable after start; thread-safe.</summary>
public sealed class NamespaceRegistry
{
    /// <summary>The namespaces the standalone server ships, all organisation-scoped except <c>user</c>.</summary>
    public static readonly IReadOnlyList<string> ShippedNamespaces =
    [
        "org", "user", "workspace", "task", "operation", "connection", "service", "build", "deploy",
        "logs", "metrics", "executions", "workflows", "approvals",
    ];

    private readonly FrozenDictionary<string, NamespaceOptions> _namespaces;

    public NamespaceRegistry(IReadOnlyDictionary<string, NamespaceOptions> namespaces)
    {
        _namespaces = namespaces.ToFrozenDictionary(n => n.Key.ToLowerInvariant(), n => n.Value, StringComparer.Ordinal);
    }

    /// <summary>The configured namespaces.</summary>
    public IReadOnlyDictionary<string, NamespaceOptions> Namespaces => _namespaces;

    /// <summary>The shipped namespaces with their default options.</summary>
    public static Dictionary<string, NamespaceOptions> CreateDefaults()
    {
        // Case-insensitive so that HERALD__NAMESPACES__LOGS__… configures "logs"; names themselves are lower case.
        var result = new Dictionary<string, NamespaceOptions>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in ShippedNamespaces)
        {
            result[name] = new NamespaceOptions
            {
                Scope = name == "user" ? ChannelScope.User : ChannelScope.Org,
                // user: the unread badge (key "unread") reaches a new tab at once.
                KeepLatestState = name is "org" or "workspace" or "service" or "operation" or "connection" or "user",
            };
        }
        // Who is looking at a workspace (seeds 000 and 004).
        result["workspace"].Presence = true;
        result["workspace"].JoinLeave = true;
        // Log streams: a long tail for late viewers, delivered in batches (F-ST-1).
        result["logs"].HistorySize = 1000;
        result["logs"].HistoryTtlSeconds = 3600;
        result["logs"].Delivery = DeliveryMode.Batched;
        // Metric streams: a short history for charts, conflated per metric key (F-ST-2).
        result["metrics"].HistorySize = 300;
        result["metrics"].Delivery = DeliveryMode.Conflated;
        return result;
    }

    public bool TryGet(string @namespace, out NamespaceOptions options) =>
        _namespaces.TryGetValue(@namespace, out options!);

    /// <summary>
    /// Parses a channel name and finds its namespace. Returns <c>null</c> on success, otherwise
    /// the error to answer with.
    /// </summary>
    public HeraldError? Resolve(string? channel, int maxLength, out ChannelName name, out NamespaceOptions options)
    {
        options = null!;
        if (!ChannelName.TryParse(channel, maxLength, out name, out var error))
        {
            return new HeraldError(HeraldErrorCode.InvalidChannel, error);
        }
        if (!_namespaces.TryGetValue(name.Namespace, out options!))
        {
            return new HeraldError(HeraldErrorCode.UnknownNamespace, $"namespace '{name.Namespace}' is not configured");
        }
        return null;
    }
}
