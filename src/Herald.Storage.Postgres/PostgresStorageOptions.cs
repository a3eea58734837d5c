namespace Herald.Storage.Postgres;

/// <summary>
/// Settings of the PostgreSQL storage, bound from <c>Herald:Storage</c> by
/// <see cref="PostgresHeraldBuilderExtensions.UsePostgres(Core.IHeraldBuilder, Action{PostgresStorageOptions}?)"/>
/// and validated at start (<see cref="PostgresStorageOptionsValidator"/>). Every node of a cluster
/// uses the same connection string; nothing else needs to be set for the nodes to find each other.
/// </summary>
public sealed class PostgresStorageOptions
{
    /// <summary>The keys these settings read under <c>Herald:Storage</c>.</summary>
    public static IReadOnlyList<string> SettingKeys { get; } = [nameof(PostgresConnectionString), nameof(PostgresListenConnectionString)];

    /// <summary>
    /// The Npgsql connection string of the shared database (<c>Herald:Storage:PostgresConnectionString</c>),
    /// such as <c>Host=db;Database=herald;Username=herald;Password=…</c>. Required. It may point at
    /// PgBouncer in transaction mode.
    /// </summary>
    public string? PostgresConnectionString { get; set; }

    /// <summary>
    /// The connection string of the one LISTEN connection each node holds
    /// (<c>Herald:Storage:PostgresListenConnectionString</c>): set it to reach PostgreSQL directly
    /// when <see cref="PostgresConnectionString"/> goes through PgBouncer in transaction mode, which
    /// cannot LISTEN. Default: the same as <see cref="PostgresConnectionString"/>.
    /// </summary>
    public string? PostgresListenConnectionString { get; set; }
}
