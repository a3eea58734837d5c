using System.Text;
using Herald.Core;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace Herald.Specification.Tests.History;

/// <summary>The compliance suite on a fresh file per test, plus what only a durable store promises.</summary>
public sealed class SqliteHistoryStoreTests : HistoryStoreSpecification
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("herald-sqlite-");

    private string DatabasePath => Path.Combine(_directory.FullName, "history.db");

    protected override IHistoryStore CreateStore(TimeProvider time) => new SqliteHistoryStore(DatabasePath, time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    private async Task<IHistoryStore> RestartAsync()
    {
        await Store.DisposeAsync().Bounded();
        var store = CreateStore(Time);
        Replace(store);
        await store.InitializeAsync(CancellationToken.None).Bounded();
        return store;
    }

    [Fact]
    public async Task Restart_KeepsEpochsOffsetsPublicationsAndState()
    {
        var options = Options(size: 3, keepState: true);
        var appended = new List<Publication>();
        for (var i = 1; i <= 5; i++)
        {
            var publication = NewPublication("a", key: i % 2 == 0 ? "even" : "odd", data: $$"""{"i":{{i}},"s":"é\"😀"}""",
                tags: new Dictionary<string, string> { ["i"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture), ["ü"] = "✓" });
            appended.Add(await AppendAsync(publication, options));
        }
        var emptyStream = await PositionAsync("empty");
        var before = await PositionAsync("a");
        var stateBefore = await StateAsync("a");

        await RestartAsync();

        (await PositionAsync("a")).ShouldBe(before);
        (await PositionAsync("empty")).ShouldBe(emptyStream);
        var page = await ReadAsync("a", since: 0, limit: 10);
        page.Position.ShouldBe(before);
        page.Publications.Count.ShouldBe(3);
        for (var i = 0; i < 3; i++)
        {
            ShouldBeSamePublication(page.Publications[i], appended[i + 2]);
        }
        var stateAfter = await StateAsync("a");
        stateAfter.Count.ShouldBe(stateBefore.Count);
        for (var i = 0; i < stateAfter.Count; i++)
        {
            ShouldBeSamePublication(stateAfter[i], stateBefore[i]);
        }
        var next = await AppendAsync("a", options);
        next.ShouldSatisfyAllConditions(
            () => next.Offset.ShouldBe(6),
            () => next.Epoch.ShouldBe(before.Epoch));
    }

    [Fact]
    public async Task Restart_KeepsTtlsOfStoredPublications()
    {
        await AppendAsync("a");
        await RestartAsync();
        Time.Advance(Ttl);

        (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldBeEmpty();
        (await RemoveExpiredAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task RemoveExpired_MoreThanOneBatch_RemovesThemAll()
    {
        const int count = 2_345; // more than two of the store's batches of 1,000
        for (var i = 0; i < count; i++)
        {
            await AppendAsync($"c{i % 3}", Options(size: count));
        }
        Time.Advance(Ttl);

        (await RemoveExpiredAsync()).ShouldBe(count);
        (await ReadAsync("c0", since: null, limit: 1000)).Publications.ShouldBeEmpty();
    }

    [Fact]
    public async Task InitializeAsync_Twice_IsHarmless()
    {
        await AppendAsync("a");

        await Store.InitializeAsync(CancellationToken.None).Bounded();
        await RestartAsync();
        await Store.InitializeAsync(CancellationToken.None).Bounded();

        (await PositionAsync("a")).Offset.ShouldBe(1);
        (await AppendAsync("a")).Offset.ShouldBe(2);
    }

    [Fact]
    public async Task InitializeAsync_RecordsTheSchemaVersionAndUsesWal()
    {
        await Store.DisposeAsync().Bounded();

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync().Bounded();
        (await ScalarAsync(connection, "PRAGMA user_version;")).ShouldBe(4L);
        (await ScalarAsync(connection, "PRAGMA journal_mode;")).ShouldBe("wal");
        (await ScalarAsync(connection, """
            SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN
                ('streams', 'publications', 'latest_state', 'operations', 'notifications', 'notification_marks', 'herald_meta');
            """)).ShouldBe(7L);
    }

    [Fact]
    public async Task InitializeAsync_OnAFileOfSchemaVersion1_MigratesAndKeepsHistoryAndEpochs()
    {
        var first = await AppendAsync("a", Options(keepState: true), key: "k");
        await Store.DisposeAsync().Bounded();
        // What the release before operations and notifications left: history tables only, at version 1.
        await TemporaryDirectory.ScalarAsync(DatabasePath, """
            DROP TABLE operations; DROP TABLE notifications; DROP TABLE notification_marks; DROP TABLE herald_meta;
            PRAGMA user_version = 1;
            """);

        await RestartAsync();

        (await PositionAsync("a")).ShouldBe(new StreamPosition(1, first.Epoch!));
        (await StateAsync("a")).Single().Id.ShouldBe(first.Id);
        (await AppendAsync("a")).Offset.ShouldBe(2);
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "PRAGMA user_version;")).ShouldBe(4L);
        (await TemporaryDirectory.ScalarAsync(DatabasePath, "SELECT count(*) FROM operations;")).ShouldBe(0L);
    }

    // Unclean shutdown. VACUUM INTO, from another connection while the store runs, writes what a
    // crash would leave on disk: every commit so far, the record that the file is open included.
    // Changing the image's boot id makes the crash one of the operating system (a reboot since).

    private static Task RebootedAsync(string image) =>
        TemporaryDirectory.ScalarAsync(image, "UPDATE herald_meta SET value = 'another-boot' WHERE key = 'boot';");

    [Fact]
    public async Task Reopen_AfterAProcessCrashInTheSameBoot_KeepsEveryEpoch()
    {
        var options = Options(size: 10, keepState: true);
        var first = await AppendAsync("a", options, key: "k");
        var last = await AppendAsync("a", options, key: "k");
        var idle = await PositionAsync("idle");
        var crashImage = Path.Combine(_directory.FullName, "crash.db");
        await TemporaryDirectory.ScalarAsync(DatabasePath, $"VACUUM INTO '{crashImage}';");

        await using var database = new SqliteDatabase(crashImage);
        await using var store = new SqliteHistoryStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        database.PreviousShutdownWasUnclean.ShouldBeTrue();
        database.EpochsRenewed.ShouldBeFalse();
        (await store.GetPositionAsync("a", CancellationToken.None).Bounded()).ShouldBe(new StreamPosition(2, last.Epoch!));
        (await store.GetPositionAsync("idle", CancellationToken.None).Bounded()).ShouldBe(idle);
        var page = await store.ReadAsync("a", new HistoryQuery(first.Offset, 10), CancellationToken.None).Bounded();
        Offsets(page.Publications).ShouldBe([2]);
        (await store.AppendAsync(NewPublication("a"), options, CancellationToken.None).Bounded()).ShouldSatisfyAllConditions(
            p => p.Offset.ShouldBe(3),
            p => p.Epoch.ShouldBe(last.Epoch));
    }

    [Fact]
    public async Task Reopen_OfAFileWithoutABootRecord_AfterAnUncleanShutdown_RenewsEveryEpoch()
    {
        var last = await AppendAsync("a");
        var crashImage = Path.Combine(_directory.FullName, "crash.db");
        await TemporaryDirectory.ScalarAsync(DatabasePath, $"VACUUM INTO '{crashImage}';");
        await TemporaryDirectory.ScalarAsync(crashImage, "DELETE FROM herald_meta WHERE key = 'boot';");

        await using var database = new SqliteDatabase(crashImage);
        await using var store = new SqliteHistoryStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        database.EpochsRenewed.ShouldBeTrue();
        (await store.GetPositionAsync("a", CancellationToken.None).Bounded()).Epoch.ShouldNotBe(last.Epoch);
    }

    [Fact]
    public async Task Reopen_AfterAnOperatingSystemCrash_GivesEveryStreamANewEpochAndKeepsCountingOffsets()
    {
        var options = Options(size: 10, keepState: true);
        await AppendAsync("a", options, key: "k");
        var last = await AppendAsync("a", options, key: "k");
        var idle = await PositionAsync("idle");
        var crashImage = Path.Combine(_directory.FullName, "crash.db");
        await TemporaryDirectory.ScalarAsync(DatabasePath, $"VACUUM INTO '{crashImage}';");
        await RebootedAsync(crashImage);

        await using var database = new SqliteDatabase(crashImage);
        await using var store = new SqliteHistoryStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        database.PreviousShutdownWasUnclean.ShouldBeTrue();
        database.EpochsRenewed.ShouldBeTrue();
        var position = await store.GetPositionAsync("a", CancellationToken.None).Bounded();
        position.Offset.ShouldBe(2);
        position.Epoch.ShouldNotBe(last.Epoch);
        (await store.GetPositionAsync("idle", CancellationToken.None).Bounded()).ShouldSatisfyAllConditions(
            p => p.Offset.ShouldBe(0),
            p => p.Epoch.ShouldNotBe(idle.Epoch));
        var page = await store.ReadAsync("a", new HistoryQuery(0, 10), CancellationToken.None).Bounded();
        Offsets(page.Publications).ShouldBe([1, 2]);
        page.Publications.ShouldAllBe(p => p.Epoch == position.Epoch);
        (await store.ReadStateAsync("a", CancellationToken.None).Bounded()).Single().ShouldSatisfyAllConditions(
            p => p.Id.ShouldBe(last.Id),
            p => p.Epoch.ShouldBe(position.Epoch));
        var next = await store.AppendAsync(NewPublication("a"), options, CancellationToken.None).Bounded();
        next.Offset.ShouldBe(3);
        next.Epoch.ShouldBe(position.Epoch);
    }

    [Fact]
    public async Task Reopen_AfterAPowerLossDroppedTheLastCommit_TheReusedOffsetComesWithANewEpoch()
    {
        await AppendAsync("a");
        var kept = await AppendAsync("a");
        var crashImage = Path.Combine(_directory.FullName, "crash.db");
        await TemporaryDirectory.ScalarAsync(DatabasePath, $"VACUUM INTO '{crashImage}';");
        // Committed and handed to subscribers, then lost with the power: not in the image.
        var lost = await AppendAsync("a");
        await RebootedAsync(crashImage);

        await using var database = new SqliteDatabase(crashImage);
        await using var store = new SqliteHistoryStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();
        var reused = await store.AppendAsync(NewPublication("a"), Options(), CancellationToken.None).Bounded();

        lost.Offset.ShouldBe(3);
        reused.Offset.ShouldBe(3);
        reused.Epoch.ShouldNotBe(lost.Epoch);
        reused.Epoch.ShouldNotBe(kept.Epoch);
    }

    [Fact]
    public async Task Reopen_AfterACleanClose_KeepsEveryEpoch()
    {
        var first = await AppendAsync("a");
        var idle = await PositionAsync("idle");
        await Store.DisposeAsync().Bounded();

        await using var database = new SqliteDatabase(DatabasePath);
        await using var store = new SqliteHistoryStore(database, Time);
        await store.InitializeAsync(CancellationToken.None).Bounded();

        database.PreviousShutdownWasUnclean.ShouldBeFalse();
        database.EpochsRenewed.ShouldBeFalse();
        (await store.GetPositionAsync("a", CancellationToken.None).Bounded()).ShouldBe(new StreamPosition(1, first.Epoch!));
        (await store.GetPositionAsync("idle", CancellationToken.None).Bounded()).ShouldBe(idle);
    }

    [Fact]
    public async Task OpenRecord_IsSetWhileOpenAndClearedByACleanClose()
    {
        const string Record = "SELECT count(*) FROM herald_meta WHERE key = 'open';";
        await AppendAsync("a");

        (await TemporaryDirectory.ScalarAsync(DatabasePath, Record)).ShouldBe(1L);
        await Store.DisposeAsync().Bounded();
        (await TemporaryDirectory.ScalarAsync(DatabasePath, Record)).ShouldBe(0L);
    }

    [Fact]
    public async Task Reopen_WhenTheOpenRecordWasLeft_GivesNewEpochsOnlyOnce()
    {
        var first = await AppendAsync("a");
        await Store.DisposeAsync().Bounded();
        // The record a process that died while running leaves behind, in a boot before this one.
        await TemporaryDirectory.ScalarAsync(DatabasePath, "INSERT INTO herald_meta (key, value) VALUES ('open', 'pid 1 on crashed');");
        await RebootedAsync(DatabasePath);

        await RestartAsync();
        var renewed = await PositionAsync("a");
        var next = await AppendAsync("a");
        await RestartAsync();

        renewed.Offset.ShouldBe(1);
        renewed.Epoch.ShouldNotBe(first.Epoch);
        next.ShouldSatisfyAllConditions(p => p.Offset.ShouldBe(2), p => p.Epoch.ShouldBe(renewed.Epoch));
        (await PositionAsync("a")).ShouldBe(new StreamPosition(2, renewed.Epoch));
    }

    [Fact]
    public async Task InitializeAsync_OnAFileThatIsNotADatabase_ThrowsNamingTheFile()
    {
        var path = Path.Combine(_directory.FullName, "not-a-database.db");
        await File.WriteAllTextAsync(path, string.Concat(Enumerable.Repeat("this is not a SQLite database\n", 500))).Bounded();
        await using var store = new SqliteHistoryStore(path, Time);

        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None).Bounded());

        error.Message.ShouldContain(path);
        error.InnerException.ShouldBeOfType<SqliteException>();
    }

    [Fact]
    public async Task InitializeAsync_OnANewerSchema_ThrowsInsteadOfMigratingBackwards()
    {
        await Store.DisposeAsync().Bounded();
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            await connection.OpenAsync().Bounded();
            await ScalarAsync(connection, "PRAGMA user_version = 99;");
        }
        var store = CreateStore(Time);
        Replace(store);

        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None).Bounded());

        error.Message.ShouldContain("99");
    }

    [Fact]
    public async Task InitializeAsync_InAMissingDirectory_CreatesIt()
    {
        var path = Path.Combine(_directory.FullName, "nested", "deeper", "history.db");
        await using var store = new SqliteHistoryStore(path, Time);

        await store.InitializeAsync(CancellationToken.None).Bounded();

        File.Exists(path).ShouldBeTrue();
    }

    [Fact]
    public async Task Calls_BeforeInitializeAsync_ThrowAClearError()
    {
        await using var store = new SqliteHistoryStore(Path.Combine(_directory.FullName, "uninitialized.db"), Time);

        var error = await Should.ThrowAsync<InvalidOperationException>(() => store.GetPositionAsync("a", CancellationToken.None).Bounded());

        error.Message.ShouldContain(nameof(IHistoryStore.InitializeAsync));
        (await store.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
    }

    [Fact]
    public async Task Calls_AfterDispose_ThrowObjectDisposed()
    {
        await Store.DisposeAsync().Bounded();

        await Should.ThrowAsync<ObjectDisposedException>(() => Store.GetPositionAsync("a", CancellationToken.None).Bounded());
        (await Store.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeFalse();
        await Store.DisposeAsync().Bounded();
    }

    [Fact]
    public async Task Append_WhenTheTransactionFails_LeavesTheStreamUnchanged()
    {
        var first = await AppendAsync("a", Options(keepState: true), key: "x");
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            await connection.OpenAsync().Bounded();
            // Makes the state upsert fail after the offset moved and the publication was inserted.
            await ScalarAsync(connection, "CREATE TRIGGER fail_state BEFORE UPDATE ON latest_state BEGIN SELECT RAISE(ABORT, 'boom'); END;");
        }

        await Should.ThrowAsync<SqliteException>(() => AppendAsync("a", Options(keepState: true), key: "x"));

        (await PositionAsync("a")).ShouldBe(new StreamPosition(1, first.Epoch!));
        Offsets((await ReadAsync("a", since: 0, limit: 10)).Publications).ShouldBe([1]);
        (await AppendAsync("a", Options(keepState: true), key: "y")).Offset.ShouldBe(2);
    }

    [Fact]
    public async Task Data_IsStoredAsTheExactBytes()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"a":"\u00e9 é"}""");
        await AppendAsync(new Publication { Id = "1", Channel = "a", Type = "t", Data = bytes, Timestamp = 1 });
        await Store.DisposeAsync().Bounded();

        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString());
        await connection.OpenAsync().Bounded();
        (await ScalarAsync(connection, "SELECT data FROM publications;")).ShouldBe(bytes);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync().Bounded();
    }
}
