using System.Globalization;
using System.Text.Json;

namespace Herald.Cli.Commands;

/// <summary>What verbs read from the command line and standard input: JSON data, <c>key=value</c> pairs, stream positions.</summary>
internal static class Inputs
{
    /// <summary>
    /// The JSON in <paramref name="argument"/>, or standard input when it is absent or <c>-</c>;
    /// checked to be one JSON value, so that a typo is a usage error and not the server's 400.
    /// </summary>
    public static string ReadJson(string? argument, Output.CliConsole console, string what)
    {
        string text;
        if (argument is null or "-")
        {
            if (console.InputIsTerminal && argument is null)
            {
                throw CliException.Usage($"give {what} as an argument, or pipe it to standard input ('-' reads it)");
            }
            text = console.In.ReadToEnd();
        }
        else
        {
            text = argument;
        }
        return CheckJson(text, what);
    }

    /// <summary>The text, if it is exactly one JSON value; a usage error otherwise.</summary>
    public static string CheckJson(string text, string what)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            throw CliException.Usage($"{what} is empty: give a JSON value such as {{\"status\":\"RUNNING\"}}");
        }
        try
        {
            using var document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"{what} is not JSON: {ex.Message}");
        }
        return text;
    }

    /// <summary><c>key=value</c> pairs (<c>--tag</c>); the last value of a key wins.</summary>
    public static Dictionary<string, string>? Pairs(string[]? values, string option)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }
        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values.Select(v => Split(v, option)))
        {
            pairs[key] = value;
        }
        return pairs;
    }

    /// <summary><c>tag=value</c> filters (<c>--filter</c>): the same tag twice means either value.</summary>
    public static Dictionary<string, List<string>>? Filters(string[]? values, string option)
    {
        if (values is null || values.Length == 0)
        {
            return null;
        }
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in values.Select(v => Split(v, option)))
        {
            if (!filters.TryGetValue(key, out var list))
            {
                filters[key] = list = [];
            }
            if (!list.Contains(value))
            {
                list.Add(value);
            }
        }
        return filters;
    }

    private static (string Key, string Value) Split(string text, string option)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0
            ? throw CliException.Usage($"{option} '{text}' must be key=value")
            : (text[..equals], text[(equals + 1)..]);
    }

    /// <summary>A stream position of <c>--since</c>: <c>41</c> (an offset) or <c>epoch:41</c>.</summary>
    public static (long Offset, string? Epoch) Position(string text, string option)
    {
        var colon = text.LastIndexOf(':');
        var epoch = colon > 0 ? text[..colon] : null;
        var number = colon >= 0 ? text[(colon + 1)..] : text;
        return long.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? (offset, epoch)
            : throw CliException.Usage($"{option} '{text}' must be an offset (41) or epoch:offset (5f1d2c3b:41)");
    }
}
