using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Infrastructure;

/// <summary>
/// A fresh database on the shared test PostgreSQL for one test, and the <see cref="PostgresDatabase"/>
/// instances opened on it (one per node a test models), disposed together.
/// </summary>
internal sealed class FreshPostgresDatabase : IAsyncDisposable
{
    private readonly List<PostgresDatabase> _opened = [];

    private FreshPostgresDatabase(string connectionString) => ConnectionString = connectionString;

    public string ConnectionString { get; }

    /// <summary>Not bounded: the first test of the run starts the server.</summary>
    public static async Task<FreshPostgresDatabase> CreateAsync() =>
        new(await (await TestPostgres.SharedAsync()).CreateDatabaseAsync());

    /// <summary>Another <see cref="PostgresDatabase"/> on this database, as another node has its own; disposed with this.</summary>
    public PostgresDatabase Open()
    {
        var database = new PostgresDatabase(ConnectionString);
        _opened.Add(database);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var database in _opened)
        {
            await database.DisposeAsync().Bounded();
        }
    }
}
