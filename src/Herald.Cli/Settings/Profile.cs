using System.Text.Json;

namespace Herald.Cli.Settings;

/// <summary>
/// A profile file: connection settings kept on disk, so that they need not be repeated on every
/// command. JSON with any of <c>url</c>, <c>apiKey</c>, <c>token</c> and <c>jwtSecret</c>:
/// <code>{"url":"https://herald.example.com","apiKey":"hk_…"}</code>
/// Unknown fields are errors, so that a misspelt <c>apikey</c> is noticed.
/// </summary>
internal sealed record Profile(string? Url, string? ApiKey, string? Token, string? JwtSecret)
{
    public static readonly Profile Empty = new(null, null, null, null);

    /// <summary>The fields a profile may hold, as written in the file.</summary>
    public static readonly string[] Fields = ["url", "apiKey", "token", "jwtSecret"];

    /// <summary>
    /// The file a <c>--profile</c> value (or <c>HERALD_PROFILE</c>) names: a path when it contains a
    /// directory separator or ends in <c>.json</c>, else a name in the configuration directory
    /// (<c>work</c> is <c>~/.config/herald/work.json</c>). Without a value, <c>profile.json</c> there.
    /// </summary>
    public static string PathOf(string? value, Func<string, string?> environment)
    {
        if (!string.IsNullOrEmpty(value) && (value.Contains('/', StringComparison.Ordinal) || value.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || value.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
        {
            return Path.GetFullPath(value);
        }
        return Path.Combine(ConfigDirectory(environment), (string.IsNullOrEmpty(value) ? "profile" : value) + ".json");
    }

    /// <summary><c>$XDG_CONFIG_HOME/herald</c>, or <c>~/.config/herald</c>.</summary>
    public static string ConfigDirectory(Func<string, string?> environment)
    {
        var xdg = environment("XDG_CONFIG_HOME");
        var home = environment("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "herald");
    }

    /// <summary>
    /// Reads a profile. A file that is missing is an empty profile when <paramref name="required"/> is
    /// false (the default file), an error otherwise (a profile named on the command line).
    /// </summary>
    public static Profile Load(string path, bool required)
    {
        if (!File.Exists(path))
        {
            return required ? throw CliException.Usage($"the profile '{path}' does not exist") : Empty;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw CliException.Usage($"the profile '{path}' must hold a JSON object such as {{\"url\":\"http://127.0.0.1:5080\",\"apiKey\":\"hk_…\"}}");
            }
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw CliException.Usage($"the profile '{path}' has an unknown field '{property.Name}' (known: {string.Join(", ", Fields)})");
                }
                if (property.Value.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                {
                    throw CliException.Usage($"the profile '{path}': '{property.Name}' must be a string");
                }
                values[property.Name] = property.Value.GetString();
            }
            return new Profile(values.GetValueOrDefault("url"), values.GetValueOrDefault("apiKey"), values.GetValueOrDefault("token"), values.GetValueOrDefault("jwtSecret"));
        }
        catch (JsonException ex)
        {
            throw CliException.Usage($"the profile '{path}' is not valid JSON: {ex.Message}");
        }
        catch (IOException ex)
        {
            throw CliException.Usage($"the profile '{path}' cannot be read: {ex.Message}");
        }
        catch (UnauthorizedAccessException ex)
        {
            throw CliException.Usage($"the profile '{path}' cannot be read: {ex.Message}");
        }
    }
}
