namespace Herald.Core.Channels;

/// <summary>
/// A parsed channel name: <c>namespace:rest</c>, where rest is one or more non-empty segments
/// separated by <c>/</c> (<c>org:acme</c>, <c>workspace:acme/ws_12</c>). Namespaces use
/// <c>[a-z0-9_-]</c>; segments use <c>[A-Za-z0-9_.@=+-]</c>.
/// </summary>
public readonly record struct ChannelName
{
    private ChannelName(string value, int colon)
    {
        Value = value;
        _colon = colon;
    }

    private readonly int _colon;

    /// <summary>The whole name.</summary>
    public string Value { get; }

    /// <summary>The namespace, before the colon.</summary>
    public string Namespace => Value[.._colon];

    /// <summary>Everything after the colon.</summary>
    public ReadOnlySpan<char> Rest => Value.AsSpan(_colon + 1);

    /// <summary>The first segment after the colon: the organisation id or user id for scoped namespaces.</summary>
    public ReadOnlySpan<char> FirstSegment
    {
        get
        {
            var rest = Rest;
            var slash = rest.IndexOf('/');
            return slash < 0 ? rest : rest[..slash];
        }
    }

    public override string ToString() => Value;

    /// <summary>Parses and validates a channel name; the error says what is wrong with it.</summary>
    public static bool TryParse(string? value, int maxLength, out ChannelName name, out string error)
    {
        name = default;
        if (string.IsNullOrEmpty(value))
        {
            error = "channel name is empty";
            return false;
        }
        if (value.Length > maxLength)
        {
            error = $"channel name is longer than {maxLength} characters";
            return false;
        }
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            error = "channel name must be 'namespace:name'";
            return false;
        }
        for (var i = 0; i < colon; i++)
        {
            if (!IsNamespaceChar(value[i]))
            {
                error = "namespace may only contain a-z, 0-9, '_' and '-'";
                return false;
            }
        }
        var segmentLength = 0;
        for (var i = colon + 1; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '/')
            {
                if (segmentLength == 0)
                {
                    error = "channel name has an empty segment";
                    return false;
                }
                segmentLength = 0;
                continue;
            }
            if (!IsSegmentChar(c))
            {
                error = $"channel name contains the character '{(char.IsControl(c) ? '?' : c)}'; allowed are A-Z, a-z, 0-9 and _ . @ = + -";
                return false;
            }
            segmentLength++;
        }
        if (segmentLength == 0)
        {
            error = "channel name has an empty segment";
            return false;
        }
        name = new ChannelName(value, colon);
        error = "";
        return true;
    }

    private static bool IsNamespaceChar(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';

    private static bool IsSegmentChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '_' or '.' or '@' or '=' or '+' or '-';
}
