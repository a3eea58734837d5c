using System.Globalization;

namespace Herald.Cli.Commands;

/// <summary>Durations on the command line: <c>90s</c>, <c>15m</c>, <c>1h</c>, <c>7d</c>, plain seconds (<c>3600</c>) or <c>hh:mm:ss</c>.</summary>
internal static class Durations
{
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = default;
        text = text.Trim();
        if (text.Length == 0)
        {
            return false;
        }
        var unit = char.ToLowerInvariant(text[^1]);
        var number = char.IsLetter(unit) ? text[..^1] : text;
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return !char.IsLetter(unit) && TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out duration) && duration > TimeSpan.Zero;
        }
        duration = unit switch
        {
            's' or >= '0' and <= '9' => TimeSpan.FromSeconds(value),
            'm' => TimeSpan.FromMinutes(value),
            'h' => TimeSpan.FromHours(value),
            'd' => TimeSpan.FromDays(value),
            _ => TimeSpan.Zero,
        };
        return duration > TimeSpan.Zero;
    }

    /// <summary>Parses or throws a usage error naming the option.</summary>
    public static TimeSpan Parse(string text, string option) => TryParse(text, out var duration)
        ? duration
        : throw CliException.Usage($"{option} '{text}' is not a duration such as 90s, 15m, 1h or 7d");
}
