using Herald.AspNetCore;
using Herald.Core;
using Herald.Core.History;
using Herald.Core.Notifications;
using Herald.Core.Operations;
using Herald.Storage.Sqlite;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Herald.Server.Tests;

/// <summary>How an embedding application and the standalone server choose Herald's storage, and how its settings are checked.</summary>
public sealed class StorageConfigurationTests
{
    private const string MemoryDefaultLine = "Storage: memory, the default when none is chosen";

    /// <summary>An embedding application on a bare host (no web server): Herald's services, its settings, and the log.</summary>
    private static (IHost Host, CapturingLoggerProvider Logs) Embed(Action<IHeraldBuilder>? choose = null, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Herald:Auth:JwtSecret"] = TestTokens.Secret });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        var logs = new CapturingLoggerProvider();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(logs);
        var herald = builder.Services.AddHerald();
        choose?.Invoke(herald);
        return (builder.Build(), logs);
    }

    private static async Task StartAndStopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TestServer.Timeout);
        await host.StartAsync(cts.Token);
        await host.StopAsync(cts.Token);
    }

    /// <summary>What stops an application that cannot start: thrown while the host is built (the host's own options read Herald's) or started.</summary>
    private static Task<OptionsValidationException> StartFailureAsync(Action<IHeraldBuilder>? choose = null, IDictionary<string, string?>? settings = null) =>
        Should.ThrowAsync<OptionsValidationException>(async () =>
        {
            var (host, _) = Embed(choose, settings);
            using (host)
            {
                await StartAndStopAsync(host);
            }
        });

    private static string TemporaryDatabase() => Path.Combine(Path.GetTempPath(), $"herald-storage-{Guid.NewGuid():N}.db");

    [Fact]
    public async Task AddHeraldAlone_KeepsEverythingInMemory_AndSaysSoOnceAtStart()
    {
        var (host, logs) = Embed();
        using var _ = host;
        await StartAndStopAsync(host);
        host.Services.GetRequiredService<IHistoryStore>().ShouldBeOfType<MemoryHistoryStore>();
        host.Services.GetRequiredService<IOperationStore>().ShouldBeOfType<MemoryOperationStore>();
        host.Services.GetRequiredService<INotificationStore>().ShouldBeOfType<MemoryNotificationStore>();
        var line = logs.Lines.Where(l => l.Contains(MemoryDefaultLine, StringComparison.Ordinal)).ShouldHaveSingleItem();
        line.ShouldStartWith("Information Herald.Storage:");
        line.ShouldContain("lost at every restart");
        line.ShouldContain("UseSqlite");
    }

    [Fact]
    public async Task UseMemory_IsTheSameStorage_WithoutTheNotice()
    {
        var (host, logs) = Embed(herald => herald.UseMemory());
        using var _ = host;
        await StartAndStopAsync(host);
        host.Services.GetRequiredService<IHistoryStore>().ShouldBeOfType<MemoryHistoryStore>();
        host.Services.GetRequiredService<HeraldStorageChoice>().Name.ShouldBe("memory");
        logs.Lines.ShouldNotContain(l => l.Contains(MemoryDefaultLine, StringComparison.Ordinal));
    }

    [Fact]
    public async Task UseSqlite_PutsTheThreeStoresOnOneDatabase_AndLogsItsPath()
    {
        var path = TemporaryDatabase();
        try
        {
            var (host, logs) = Embed(herald => herald.UseSqlite(path));
            using (host)
            {
                await StartAndStopAsync(host);
                host.Services.GetRequiredService<IHistoryStore>().ShouldBeOfType<SqliteHistoryStore>();
                host.Services.GetRequiredService<IOperationStore>().ShouldBeOfType<SqliteOperationStore>();
                host.Services.GetRequiredService<INotificationStore>().ShouldBeOfType<SqliteNotificationStore>();
                host.Services.GetRequiredService<SqliteDatabase>().Path.ShouldBe(Path.GetFullPath(path));
                host.Services.GetServices<IHostedService>().Count(s => s.GetType().Name == "UncleanShutdownReport").ShouldBe(1);
                logs.Lines.ShouldContain($"Information Herald.Storage.Sqlite: Storage: SQLite at {Path.GetFullPath(path)} ");
                logs.Lines.ShouldNotContain(l => l.Contains(MemoryDefaultLine, StringComparison.Ordinal));
            }
            File.Exists(path).ShouldBeTrue();
        }
        finally
        {
            ServerProcess.DeleteDatabase(path);
        }
    }

    [Fact]
    public async Task UseSqlite_WithoutAPath_ReadsHeraldStorageSqlitePath_AndTheActionHasTheLastWord()
    {
        var configured = TemporaryDatabase();
        var (host, _) = Embed(herald => herald.UseSqlite(), new Dictionary<string, string?> { ["Herald:Storage:SqlitePath"] = configured });
        using (host)
        {
            host.Services.GetRequiredService<IOptions<SqliteStorageOptions>>().Value.SqlitePath.ShouldBe(configured);
        }
        var chosen = TemporaryDatabase();
        var (other, _) = Embed(herald => herald.UseSqlite(o => o.SqlitePath = chosen), new Dictionary<string, string?> { ["Herald:Storage:SqlitePath"] = configured });
        using (other)
        {
            other.Services.GetRequiredService<IOptions<SqliteStorageOptions>>().Value.SqlitePath.ShouldBe(chosen);
        }
    }

    [Fact]
    public void ChoosingStorageTwice_IsAnErrorNamingBoth()
    {
        var services = new ServiceCollection();
        var herald = services.AddHerald().UseMemory();
        var error = Should.Throw<InvalidOperationException>(() => herald.UseSqlite("twice.db"));
        error.Message.ShouldContain("already memory");
        error.Message.ShouldContain("SQLite");
        Should.Throw<InvalidOperationException>(() => services.AddHerald().UseMemory()).Message.ShouldContain("already memory");
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task UseSqlite_WithAnEmptyPath_StopsTheStartNamingTheSetting(string path)
    {
        var error = await StartFailureAsync(herald => herald.UseSqlite(path));
        error.Failures.ShouldHaveSingleItem().ShouldStartWith("Herald:Storage:SqlitePath: ");
    }

    [Fact]
    public async Task UseSqlite_OnADirectory_StopsTheStartNamingTheSetting()
    {
        var error = await StartFailureAsync(herald => herald.UseSqlite(Path.GetTempPath()));
        error.Failures.ShouldHaveSingleItem().ShouldContain("Herald:Storage:SqlitePath: ");
        error.Failures.Single().ShouldContain("is a directory");
    }

    [Theory]
    [InlineData("Herald:Storage:SqlitePth")]
    [InlineData("Herald:Storage:Provider")]
    public async Task AKeyUnderHeraldStorageThatNoStorageReads_StopsAnEmbeddingApp(string key)
    {
        var error = await StartFailureAsync(settings: new Dictionary<string, string?> { [key] = "x" });
        error.Failures.ShouldHaveSingleItem().ShouldStartWith($"{key} is not a storage setting");
    }

    [Fact]
    public async Task SqlitePath_IsAcceptedOnceSqliteIsChosen()
    {
        var path = TemporaryDatabase();
        try
        {
            var (host, _) = Embed(herald => herald.UseSqlite(), new Dictionary<string, string?> { ["Herald:Storage:SqlitePath"] = path });
            using var _h = host;
            await StartAndStopAsync(host);
        }
        finally
        {
            ServerProcess.DeleteDatabase(path);
        }
    }

    [Theory]
    [InlineData("Herald:Storage:SqlitPath", "Herald:Storage:SqlitPath is not a storage setting")]
    [InlineData("Herald:Storage:Provider", "Herald:Storage:Provider must be Sqlite, Postgres or Memory (was 'Postgre')")]
    public async Task Server_AnUnknownOrWrongStorageSetting_StopsTheStartNamingIt(string key, string message)
    {
        var error = await Should.ThrowAsync<OptionsValidationException>(() => TestServer.StartAsync(new Dictionary<string, string?> { [key] = "Postgre" }));
        error.Failures.ShouldContain(f => f.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_ProviderMemory_WithTheShippedSqlitePath_ChoosesMemory()
    {
        // TestServer sets Provider=Memory over the shipped appsettings.json, which also sets SqlitePath.
        await using var server = await TestServer.StartAsync();
        server.Services.GetRequiredService<HeraldStorageChoice>().Name.ShouldBe("memory");
        server.Services.GetRequiredService<IHistoryStore>().ShouldBeOfType<MemoryHistoryStore>();
        server.Logs.Lines.ShouldNotContain(l => l.Contains(MemoryDefaultLine, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Server_ProviderSqlite_ChoosesSqlite_OnHeraldStorageSqlitePath()
    {
        var path = TemporaryDatabase();
        try
        {
            await using (var server = await TestServer.StartAsync(new Dictionary<string, string?>
            {
                ["Herald:Storage:Provider"] = "sqlite",
                ["Herald:Storage:SqlitePath"] = path,
            }))
            {
                server.Services.GetRequiredService<HeraldStorageChoice>().Name.ShouldBe("SQLite");
                server.Services.GetRequiredService<SqliteDatabase>().Path.ShouldBe(Path.GetFullPath(path));
            }
            File.Exists(path).ShouldBeTrue();
        }
        finally
        {
            ServerProcess.DeleteDatabase(path);
        }
    }
}
