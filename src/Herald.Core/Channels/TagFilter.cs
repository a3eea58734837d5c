using System.Collections.Frozen;

namespace Herald.Core.Channels;

/// <summary>
/// A subscription filter: a map from tag name to the values allowed for it. A publication
/// passes when, for every tag named in the filter, the publication carries that tag with one of the
/// allowed values. A publication without the tag does not pass. An empty filter passes everything.
/// Immutable; thread-safe.
/// </summary>
public sealed class TagFilter
{
    /// <summary>Maximum tags a filter may name.</summary>
    public const int MaxTags = 16;

    /// <summary>Maximum allowed values per tag.</summary>
    public const int MaxValuesPerTag = 256;

    private readonly FrozenDictionary<string, FrozenSet<string>> _allowed;

    private TagFilter(FrozenDictionary<string, FrozenSet<string>> allowed) => _allowed = allowed;

    /// <summary>The tag names and allowed values.</summary>
    public IReadOnlyDictionary<string, FrozenSet<string>> Allowed => _allowed;

    /// <summary>Builds a filter, checking its size; the error says what is wrong.</summary>
    public static TagFilter? Create(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters, out string? error)
    {
        error = null;
        if (filters is null || filters.Count == 0)
        {
            return null;
        }
        if (filters.Count > MaxTags)
        {
            error = $"filters may name at most {MaxTags} tags";
            return null;
        }
        var built = new Dictionary<string, FrozenSet<string>>(StringComparer.Ordinal);
        foreach (var (tag, values) in filters)
        {
            if (values.Count > MaxValuesPerTag)
            {
                error = $"filter '{tag}' lists more than {MaxValuesPerTag} values";
                return null;
            }
            built[tag] = values.ToFrozenSet(StringComparer.Ordinal);
        }
        return new TagFilter(built.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>True when the publication's tags pass this filter.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? tags)
    {
        foreach (var (tag, values) in _allowed)
        {
            if (tags is null || !tags.TryGetValue(tag, out var value) || !values.Contains(value))
            {
                return false;
            }
        }
        return true;
    }
}
