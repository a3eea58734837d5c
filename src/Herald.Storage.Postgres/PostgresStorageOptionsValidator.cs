using Microsoft.Extensions.Options;
using Npgsql;

namespace Herald.Storage.Postgres;

/// <summary>Validates <see cref="PostgresStorageOptions"/> at start; every message names the setting, never the password.</summary>
public sealed class PostgresStorageOptionsValidator : IValidateOptions<PostgresStorageOptions>
{
    private const string Setting = "Herald:Storage:PostgresConnectionString";
    private const string ListenSetting = "Herald:Storage:PostgresListenConnectionString";

    public ValidateOptionsResult Validate(string? name, PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            return ValidateOptionsResult.Fail($"{Setting}: set the Npgsql connection string of the shared database, such as Host=db;Database=herald;Username=herald;Password=….");
        }
        var failures = new List<string>();
        Check(options.PostgresConnectionString, Setting, failures);
        if (!string.IsNullOrWhiteSpace(options.PostgresListenConnectionString))
        {
            Check(options.PostgresListenConnectionString, ListenSetting, failures);
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string connectionString, string setting, List<string> failures)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                failures.Add($"{setting}: the connection string names no Host.");
            }
        }
        catch (ArgumentException ex)
        {
            // The parser's message quotes the offending keyword, not the value: no password in it.
            failures.Add($"{setting}: not a valid Npgsql connection string ({ex.Message}).");
        }
    }
}
