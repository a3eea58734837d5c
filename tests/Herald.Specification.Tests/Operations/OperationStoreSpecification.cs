using System.Text;
using Herald.Core.Operations;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.Operations;

/// <summary>
/// The <see cref="IOperationStore"/> contract: every store inherits these tests. Each test gets a
/// fresh, initialized store; times come from <see cref="Time"/>, a manual clock.
/// </summary>
public abstract class OperationStoreSpecification : IAsyncLifetime
{
    private IOperationStore? _store;
    private int _sequence;

    protected FakeTimeProvider Time { get; } = new();

    protected IOperationStore Store => _store ?? throw new InvalidOperationException("the store is not initialized");

    /// <summary>A new store over this test's storage; called again to model a restart where storage survives one.</summary>
    protected abstract IOperationStore CreateStore();

    public virtual async Task InitializeAsync()
    {
        _store = CreateStore();
        await _store.InitializeAsync(CancellationToken.None).Bounded();
    }

    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync().Bounded();
        }
    }

    /// <summary>Replaces the current store by <paramref name="store"/>, which the test then owns.</summary>
    protected void Replace(IOperationStore store) => _store = store;

    /// <summary>A pending operation created now, with an id that sorts after the previous one's.</summary>
    protected Operation NewOperation(string org = "acme", string type = "service.restart", string resource = "connection:acme/7", string? idempotencyKey = null)
    {
        var now = Time.GetUtcNow();
        return new Operation
        {
            Id = $"op_{Interlocked.Increment(ref _sequence):D6}",
            OrgId = org,
            Type = type,
            Resource = resource,
            Status = OperationStatus.Pending,
            CreatedBy = "user-1",
            CreatedAt = now,
            UpdatedAt = now,
            IdempotencyKey = idempotencyKey,
            Version = 1,
        };
    }

    protected Task<CreateResult> CreateAsync(Operation operation) => Store.CreateAsync(operation, CancellationToken.None).Bounded();

    protected async Task<Operation> CreatedAsync(Operation operation)
    {
        var result = await CreateAsync(operation);
        result.Created.ShouldBeTrue();
        return result.Operation;
    }

    protected Task<Operation?> GetAsync(string id) => Store.GetAsync(id, CancellationToken.None).Bounded();

    protected Task<bool> TryUpdateAsync(Operation updated, long expectedVersion) =>
        Store.TryUpdateAsync(updated, expectedVersion, CancellationToken.None).Bounded();

    protected Task<IReadOnlyList<Operation>> ListAsync(string org = "acme", string? resource = null, bool activeOnly = false, int limit = 100) =>
        Store.ListAsync(org, resource, activeOnly, limit, CancellationToken.None).Bounded();

    /// <summary>Moves <paramref name="operation"/> to <paramref name="status"/> now, as the service does, and checks that it was stored.</summary>
    protected async Task<Operation> MoveAsync(Operation operation, OperationStatus status)
    {
        var now = Time.GetUtcNow();
        var updated = operation with
        {
            Status = status,
            UpdatedAt = now,
            CompletedAt = status.IsFinal() ? now : null,
            Version = operation.Version + 1,
        };
        (await TryUpdateAsync(updated, operation.Version)).ShouldBeTrue();
        return updated;
    }

    protected static string[] Ids(IEnumerable<Operation> operations) => operations.Select(o => o.Id).ToArray();

    /// <summary>Field by field: a record's equality compares JSON bytes by reference, not content.</summary>
    protected static void ShouldBeSameOperation(Operation? actual, Operation expected)
    {
        actual.ShouldNotBeNull();
        actual.ShouldSatisfyAllConditions(
            () => actual.Id.ShouldBe(expected.Id),
            () => actual.OrgId.ShouldBe(expected.OrgId),
            () => actual.Type.ShouldBe(expected.Type),
            () => actual.Resource.ShouldBe(expected.Resource),
            () => actual.Status.ShouldBe(expected.Status),
            () => actual.Progress.ShouldBe(expected.Progress),
            () => actual.Message.ShouldBe(expected.Message),
            () => actual.Error.ShouldBe(expected.Error),
            () => actual.Parameters.ToArray().ShouldBe(expected.Parameters.ToArray()),
            () => actual.Result.ToArray().ShouldBe(expected.Result.ToArray()),
            () => actual.CreatedBy.ShouldBe(expected.CreatedBy),
            () => actual.CreatedAt.ShouldBe(expected.CreatedAt),
            () => actual.UpdatedAt.ShouldBe(expected.UpdatedAt),
            () => actual.CompletedAt.ShouldBe(expected.CompletedAt),
            () => actual.Attempt.ShouldBe(expected.Attempt),
            () => actual.RetryOf.ShouldBe(expected.RetryOf),
            () => actual.IdempotencyKey.ShouldBe(expected.IdempotencyKey),
            () => actual.CancelRequested.ShouldBe(expected.CancelRequested),
            () => actual.Version.ShouldBe(expected.Version));
    }

    // Round trip

    [Fact]
    public async Task Create_ThenGet_RoundTripsEveryFieldExactly()
    {
        // Times off the millisecond: the service stamps operations with the clock's full precision.
        Time.Advance(TimeSpan.FromTicks(1_234_567));
        var created = Time.GetUtcNow();
        Time.Advance(TimeSpan.FromTicks(9_876_543));
        var operation = NewOperation(idempotencyKey: "key-é") with
        {
            Status = OperationStatus.Failed,
            Progress = 42,
            Message = "Redémarrage… 😀",
            Error = "worker_lost",
            Parameters = Encoding.UTF8.GetBytes("""{"force":true,"note":"\u00e9 é \"q\"","n":[1,2.5e3]}"""),
            Result = Encoding.UTF8.GetBytes("""{"ok":false}"""),
            CreatedBy = "api:backend",
            CreatedAt = created,
            UpdatedAt = Time.GetUtcNow(),
            CompletedAt = Time.GetUtcNow(),
            Attempt = 3,
            RetryOf = "op_previous",
            CancelRequested = true,
            Version = 7,
        };

        var result = await CreateAsync(operation);

        result.ShouldBe(new CreateResult(operation, Created: true, SameIdempotencyKey: false));
        ShouldBeSameOperation(await GetAsync(operation.Id), operation);
    }

    [Fact]
    public async Task Create_ThenGet_RoundTripsNullsAndEmptyJson()
    {
        var operation = NewOperation();

        await CreatedAsync(operation);

        var stored = await GetAsync(operation.Id);
        ShouldBeSameOperation(stored, operation);
        stored!.Parameters.IsEmpty.ShouldBeTrue();
        stored.Result.IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public async Task Create_WithSlicedParameters_StoresOnlyTheSlice()
    {
        var buffer = Encoding.UTF8.GetBytes("""xx{"a":1}yy""");
        var operation = NewOperation() with { Parameters = buffer.AsMemory(2, 7) };

        await CreatedAsync(operation);

        (await GetAsync(operation.Id))!.Parameters.ToArray().ShouldBe(Encoding.UTF8.GetBytes("""{"a":1}"""));
    }

    [Fact]
    public async Task Get_UnknownId_ReturnsNull()
    {
        await CreatedAsync(NewOperation());

        (await GetAsync("op_unknown")).ShouldBeNull();
    }

    // Idempotency

    [Fact]
    public async Task Create_WithAKeyAlreadyUsedInTheOrganisation_ReturnsTheFirstOperation()
    {
        var first = await CreatedAsync(NewOperation(idempotencyKey: "k1"));

        // Another resource, so that only the key can match.
        var again = await CreateAsync(NewOperation(resource: "connection:acme/8", idempotencyKey: "k1"));

        again.Created.ShouldBeFalse();
        again.SameIdempotencyKey.ShouldBeTrue();
        ShouldBeSameOperation(again.Operation, first);
        Ids(await ListAsync()).ShouldBe([first.Id]);
    }

    [Fact]
    public async Task Create_WithTheKeyOfAFinishedOperation_StillReturnsIt()
    {
        var first = await MoveAsync(await CreatedAsync(NewOperation(idempotencyKey: "k1")), OperationStatus.Completed);

        var again = await CreateAsync(NewOperation(idempotencyKey: "k1"));

        again.Created.ShouldBeFalse();
        again.SameIdempotencyKey.ShouldBeTrue();
        ShouldBeSameOperation(again.Operation, first);
    }

    [Fact]
    public async Task Create_WithAKeyUsedInAnotherOrganisation_IsIndependent()
    {
        var acme = await CreatedAsync(NewOperation(org: "acme", resource: "r", idempotencyKey: "k1"));

        var other = await CreateAsync(NewOperation(org: "globex", resource: "r", idempotencyKey: "k1"));

        other.Created.ShouldBeTrue();
        other.SameIdempotencyKey.ShouldBeFalse();
        other.Operation.OrgId.ShouldBe("globex");
        (await GetAsync(acme.Id))!.OrgId.ShouldBe("acme");
    }

    [Fact]
    public async Task Create_WithoutKeys_NeverMatchesOnTheMissingKey()
    {
        await CreatedAsync(NewOperation(resource: "r1"));

        var second = await CreateAsync(NewOperation(resource: "r2"));

        second.Created.ShouldBeTrue();
        second.SameIdempotencyKey.ShouldBeFalse();
    }

    // One active operation per organisation, type and resource

    [Theory]
    [InlineData(OperationStatus.Pending)]
    [InlineData(OperationStatus.Running)]
    public async Task Create_WhileTheSameTypeAndResourceIsActive_ReturnsTheActiveOne(OperationStatus status)
    {
        var active = await CreatedAsync(NewOperation());
        if (status != OperationStatus.Pending)
        {
            active = await MoveAsync(active, status);
        }

        var duplicate = await CreateAsync(NewOperation(idempotencyKey: "fresh-key"));

        duplicate.Created.ShouldBeFalse();
        duplicate.SameIdempotencyKey.ShouldBeFalse();
        ShouldBeSameOperation(duplicate.Operation, active);
        Ids(await ListAsync()).ShouldBe([active.Id]);
    }

    [Theory]
    [InlineData(OperationStatus.Completed)]
    [InlineData(OperationStatus.Failed)]
    [InlineData(OperationStatus.Cancelled)]
    public async Task Create_AfterTheSameTypeAndResourceFinished_Creates(OperationStatus final)
    {
        var done = await MoveAsync(await CreatedAsync(NewOperation()), final);

        var next = await CreateAsync(NewOperation());

        next.Created.ShouldBeTrue();
        next.Operation.Id.ShouldNotBe(done.Id);
    }

    [Fact]
    public async Task Create_WithAnotherTypeResourceOrOrganisation_IsNotBlocked()
    {
        await CreatedAsync(NewOperation(org: "acme", type: "t1", resource: "r1"));

        (await CreateAsync(NewOperation(org: "acme", type: "t2", resource: "r1"))).Created.ShouldBeTrue();
        (await CreateAsync(NewOperation(org: "acme", type: "t1", resource: "r2"))).Created.ShouldBeTrue();
        (await CreateAsync(NewOperation(org: "globex", type: "t1", resource: "r1"))).Created.ShouldBeTrue();
    }

    [Fact]
    public async Task Create_ConcurrentlyForTheSameTypeAndResource_CreatesExactlyOne()
    {
        var candidates = Enumerable.Range(0, 20).Select(_ => NewOperation()).ToArray();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => CreateAsync(c)))).Bounded();

        var created = results.Where(r => r.Created).ToArray();
        created.Length.ShouldBe(1);
        results.ShouldAllBe(r => r.Operation.Id == created[0].Operation.Id);
        Ids(await ListAsync()).ShouldBe([created[0].Operation.Id]);
    }

    [Fact]
    public async Task Create_ConcurrentlyWithTheSameKey_CreatesExactlyOne()
    {
        var candidates = Enumerable.Range(0, 20).Select(i => NewOperation(resource: $"r{i}", idempotencyKey: "k1")).ToArray();

        var results = await Task.WhenAll(candidates.Select(c => Task.Run(() => CreateAsync(c)))).Bounded();

        var created = results.Where(r => r.Created).ToArray();
        created.Length.ShouldBe(1);
        results.Where(r => !r.Created).ShouldAllBe(r => r.SameIdempotencyKey && r.Operation.Id == created[0].Operation.Id);
        (await ListAsync()).Count.ShouldBe(1);
    }

    // Compare-and-set

    [Fact]
    public async Task TryUpdate_WithTheStoredVersion_StoresEveryField()
    {
        var operation = await CreatedAsync(NewOperation());
        Time.Advance(TimeSpan.FromTicks(10_001));
        var updated = operation with
        {
            Status = OperationStatus.Completed,
            Progress = 100,
            Message = "done",
            Result = Encoding.UTF8.GetBytes("""{"restarted":["a","b"]}"""),
            UpdatedAt = Time.GetUtcNow(),
            CompletedAt = Time.GetUtcNow(),
            CancelRequested = true,
            Version = operation.Version + 1,
        };

        (await TryUpdateAsync(updated, operation.Version)).ShouldBeTrue();

        ShouldBeSameOperation(await GetAsync(operation.Id), updated);
    }

    [Fact]
    public async Task TryUpdate_WithAStaleVersion_ReturnsFalseAndChangesNothing()
    {
        var operation = await CreatedAsync(NewOperation());
        var first = operation with { Status = OperationStatus.Running, Progress = 10, Version = operation.Version + 1 };
        var racing = operation with { Status = OperationStatus.Cancelled, Version = operation.Version + 1 };

        (await TryUpdateAsync(first, operation.Version)).ShouldBeTrue();
        (await TryUpdateAsync(racing, operation.Version)).ShouldBeFalse();

        ShouldBeSameOperation(await GetAsync(operation.Id), first);
    }

    [Fact]
    public async Task TryUpdate_OfAnUnknownOperation_ReturnsFalseAndCreatesNothing()
    {
        var never = NewOperation();

        (await TryUpdateAsync(never with { Version = 2 }, 1)).ShouldBeFalse();

        (await GetAsync(never.Id)).ShouldBeNull();
    }

    [Fact]
    public async Task TryUpdate_ConcurrentlyFromTheSameVersion_LetsExactlyOneWin()
    {
        var operation = await CreatedAsync(NewOperation());

        var results = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Task.Run(() =>
            TryUpdateAsync(operation with { Progress = i, Version = operation.Version + 1 }, operation.Version)))).Bounded();

        results.Count(won => won).ShouldBe(1);
        (await GetAsync(operation.Id))!.Version.ShouldBe(operation.Version + 1);
    }

    // Lists

    [Fact]
    public async Task List_IsNewestFirstWithTiesByIdDescending()
    {
        var a = await CreatedAsync(NewOperation(resource: "r1"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var b = await CreatedAsync(NewOperation(resource: "r2"));
        var c = await CreatedAsync(NewOperation(resource: "r3")); // same time as b, higher id
        Time.Advance(TimeSpan.FromSeconds(1));
        var d = await CreatedAsync(NewOperation(resource: "r4"));

        Ids(await ListAsync()).ShouldBe([d.Id, c.Id, b.Id, a.Id]);
    }

    [Fact]
    public async Task List_FiltersByResourceAndActiveAndLimit()
    {
        var r1Done = await MoveAsync(await CreatedAsync(NewOperation(type: "t1", resource: "r1")), OperationStatus.Completed);
        Time.Advance(TimeSpan.FromSeconds(1));
        var r1Running = await MoveAsync(await CreatedAsync(NewOperation(type: "t2", resource: "r1")), OperationStatus.Running);
        Time.Advance(TimeSpan.FromSeconds(1));
        var r2Pending = await CreatedAsync(NewOperation(type: "t1", resource: "r2"));
        Time.Advance(TimeSpan.FromSeconds(1));
        var r2Failed = await MoveAsync(await CreatedAsync(NewOperation(type: "t2", resource: "r2")), OperationStatus.Failed);

        Ids(await ListAsync()).ShouldBe([r2Failed.Id, r2Pending.Id, r1Running.Id, r1Done.Id]);
        Ids(await ListAsync(resource: "r1")).ShouldBe([r1Running.Id, r1Done.Id]);
        Ids(await ListAsync(activeOnly: true)).ShouldBe([r2Pending.Id, r1Running.Id]);
        Ids(await ListAsync(resource: "r2", activeOnly: true)).ShouldBe([r2Pending.Id]);
        Ids(await ListAsync(limit: 2)).ShouldBe([r2Failed.Id, r2Pending.Id]);
        Ids(await ListAsync(resource: "r1", limit: 1)).ShouldBe([r1Running.Id]);
        (await ListAsync(resource: "r3")).ShouldBeEmpty();
        (await ListAsync(limit: 0)).ShouldBeEmpty();
    }

    [Fact]
    public async Task List_ShowsOnlyTheOrganisationsOwnOperations()
    {
        var acme = await CreatedAsync(NewOperation(org: "acme", resource: "r"));
        var globex = await CreatedAsync(NewOperation(org: "globex", resource: "r"));

        Ids(await ListAsync(org: "acme")).ShouldBe([acme.Id]);
        Ids(await ListAsync(org: "globex", resource: "r", activeOnly: true)).ShouldBe([globex.Id]);
        (await ListAsync(org: "initech")).ShouldBeEmpty();
    }

    [Fact]
    public async Task List_ReturnsOperationsWithEveryField()
    {
        var operation = NewOperation() with { Parameters = Encoding.UTF8.GetBytes("""{"x":1}"""), Message = "m", Attempt = 2, RetryOf = "op_0" };
        await CreatedAsync(operation);

        ShouldBeSameOperation((await ListAsync()).Single(), operation);
    }

    // Maintenance

    [Fact]
    public async Task ListStale_ReturnsActiveOperationsNotUpdatedSinceTheCutoff()
    {
        var stalePending = await CreatedAsync(NewOperation(resource: "r1"));
        var staleRunning = await MoveAsync(await CreatedAsync(NewOperation(resource: "r2")), OperationStatus.Running);
        var oldButFinal = await MoveAsync(await CreatedAsync(NewOperation(resource: "r3")), OperationStatus.Failed);
        Time.Advance(TimeSpan.FromMinutes(10));
        var cutoff = Time.GetUtcNow();
        var freshlyUpdated = await MoveAsync(await CreatedAsync(NewOperation(resource: "r4")), OperationStatus.Running);
        var otherOrg = await CreatedAsync(NewOperation(org: "globex", resource: "r5"));
        Time.Advance(TimeSpan.FromMinutes(10));

        var stale = await Store.ListStaleAsync(cutoff, CancellationToken.None).Bounded();

        Ids(stale).Order(StringComparer.Ordinal).ShouldBe([stalePending.Id, staleRunning.Id]);
        ShouldBeSameOperation(stale.Single(o => o.Id == staleRunning.Id), staleRunning);
        (await Store.ListStaleAsync(Time.GetUtcNow(), CancellationToken.None).Bounded()).Select(o => o.Id).Order(StringComparer.Ordinal)
            .ShouldBe([stalePending.Id, staleRunning.Id, freshlyUpdated.Id, otherOrg.Id]);
        oldButFinal.Status.IsFinal().ShouldBeTrue();
    }

    [Fact]
    public async Task ListStale_AtExactlyTheCutoff_IsNotStale()
    {
        await CreatedAsync(NewOperation());

        (await Store.ListStaleAsync(Time.GetUtcNow(), CancellationToken.None).Bounded()).ShouldBeEmpty();
    }

    [Fact]
    public async Task RemoveFinished_RemovesOnlyFinalOperationsCompletedBeforeTheCutoff()
    {
        var completed = await MoveAsync(await CreatedAsync(NewOperation(resource: "r1")), OperationStatus.Completed);
        var failed = await MoveAsync(await CreatedAsync(NewOperation(resource: "r2")), OperationStatus.Failed);
        var cancelled = await MoveAsync(await CreatedAsync(NewOperation(org: "globex", resource: "r3")), OperationStatus.Cancelled);
        var oldActive = await CreatedAsync(NewOperation(resource: "r4"));
        Time.Advance(TimeSpan.FromDays(1));
        var cutoff = Time.GetUtcNow();
        var atCutoff = await MoveAsync(await CreatedAsync(NewOperation(resource: "r5")), OperationStatus.Completed);
        Time.Advance(TimeSpan.FromDays(1));
        var recent = await MoveAsync(await CreatedAsync(NewOperation(resource: "r6")), OperationStatus.Completed);

        var removed = await Store.RemoveFinishedAsync(cutoff, CancellationToken.None).Bounded();

        removed.ShouldBe(3);
        (await GetAsync(completed.Id)).ShouldBeNull();
        (await GetAsync(failed.Id)).ShouldBeNull();
        (await GetAsync(cancelled.Id)).ShouldBeNull();
        ShouldBeSameOperation(await GetAsync(oldActive.Id), oldActive);
        ShouldBeSameOperation(await GetAsync(atCutoff.Id), atCutoff);
        ShouldBeSameOperation(await GetAsync(recent.Id), recent);
        (await Store.RemoveFinishedAsync(cutoff, CancellationToken.None).Bounded()).ShouldBe(0);
    }
}
