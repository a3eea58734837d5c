namespace Herald.Core;

/// <summary>
/// The keys that may appear under <c>Herald:Storage</c>. The core reads none of them: each storage
/// package adds the keys it reads when it is chosen, and a host that picks the storage from
/// configuration adds its own (such as the standalone server's <c>Provider</c>) and those of every
/// storage it can pick. Any other key stops the application at start with a message naming it, so
/// that a misspelt storage setting is never silently ignored.
/// </summary>
public sealed class HeraldStorageSettings
{
    /// <summary>The configuration section of the storage settings.</summary>
    public const string SectionName = HeraldOptions.SectionName + ":Storage";

    /// <summary>The accepted keys, directly under <see cref="SectionName"/>; case-insensitive.</summary>
    public ISet<string> Keys { get; } = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
}
