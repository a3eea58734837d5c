using System.Globalization;

namespace Herald.LoadGenerator.Infrastructure;

/// <summary>
/// <c>--name value</c> and <c>--flag</c> arguments. Every option read is remembered so that
/// unknown options are refused instead of silently ignored.
/// </summary>
public sealed class Options
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public Options(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (pending is not null)
                {
                    _values[pending] = null;
                }
                var eq = arg.IndexOf('=', StringComparison.Ordinal);
                if (eq > 0)
                {
                    _values[arg[2..eq]] = arg[(eq + 1)..];
                    pending = null;
                }
                else
                {
                    pending = arg[2..];
                }
            }
            else if (pending is not null)
            {
                _values[pending] = arg;
                pending = null;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'");
            }
        }
        if (pending is not null)
        {
            _values[pending] = null;
        }
    }

    public string? String(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) ? v : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public bool Flag(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var v) && v is null or "true" or "1";
    }

    public int Int(string name, int fallback) => String(name) is { } v ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => String(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int[] Ints(string name, int[] fallback) => String(name) is { } v
        ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.Parse(s.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)).ToArray()
        : fallback;

    /// <summary>Throws when an option was given that no code read.</summary>
    public void EnsureAllRead()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new ArgumentException($"unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}");
        }
    }
}
