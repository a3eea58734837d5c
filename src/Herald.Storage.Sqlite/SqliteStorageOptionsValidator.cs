using Microsoft.Extensions.Options;

namespace Herald.Storage.Sqlite;

/// <summary>Validates <see cref="SqliteStorageOptions"/> at start; every message names the setting.</summary>
public sealed class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>
{
    private const string Setting = "Herald:Storage:SqlitePath";

    public ValidateOptionsResult Validate(string? name, SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var path = options.SqlitePath;
        if (string.IsNullOrWhiteSpace(path))
        {
            return ValidateOptionsResult.Fail($"{Setting}: name the SQLite database file, such as {SqliteStorageOptions.DefaultSqlitePath} or /var/lib/herald/herald.db.");
        }
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail($"{Setting}: '{path}' is not a file path.");
        }
        if (Directory.Exists(path))
        {
            return ValidateOptionsResult.Fail($"{Setting}: '{path}' is a directory; name the database file in it, such as {Path.Combine(path, SqliteStorageOptions.DefaultSqlitePath)}.");
        }
        return ValidateOptionsResult.Success;
    }
}
