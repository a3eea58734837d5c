using System.Text;
using Herald.Core;
using Herald.Core.History;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Specification.Tests.Infrastructure;

namespace Herald.Specification.Tests.History;

/// <summary>
/// The <see cref="IHistoryStore"/> contract: every store inherits these tests. Each test gets a
/// fresh, initialized store on a manual clock; time moves only through <see cref="Time"/>.
/// </summary>
public abstract class HistoryStoreSpecification : IAsyncLifetime
{
    protected static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    protected static readonly TimeSpan IdleTtl = TimeSpan.FromDays(1);

    private IHistoryStore? _store;

    protected FakeTimeProvider Time { get; } = new();

    protected IHistoryStore Store => _store ?? throw new InvalidOperationException("the store is not initialized");

    /// <summary>A new store over this test's storage; called again to model a restart where storage survives one.</summary>
    protected abstract IHistoryStore CreateStore(TimeProvider time);

    public virtual async Task InitializeAsync()
    {
        _store = CreateStore(Time);
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
    protected void Replace(IHistoryStore store) => _store = store;

    protected static HistoryOptions Options(int size = 10, TimeSpan? ttl = null, bool keepState = false, int maxStateKeys = 100) =>
        new(size, ttl ?? Ttl, keepState, maxStateKeys);

    protected Publication NewPublication(string channel, string? key = null, string data = """{"n":1}""", IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        Id = Publication.NewId(),
        Channel = channel,
        Type = "test.event",
        Data = Encoding.UTF8.GetBytes(data),
        Timestamp = Time.GetUtcNow().ToUnixTimeMilliseconds(),
        Key = key,
        Tags = tags,
    };

    protected Task<Publication> AppendAsync(string channel, HistoryOptions? options = null, string? key = null, string data = """{"n":1}""") =>
        Store.AppendAsync(NewPublication(channel, key, data), options ?? Options(), CancellationToken.None).Bounded();

    protected Task<Publication> AppendAsync(Publication publication, HistoryOptions? options = null) =>
        Store.AppendAsync(publication, options ?? Options(), CancellationToken.None).Bounded();

    protected Task<StreamPosition> PositionAsync(string channel) =>
        Store.GetPositionAsync(channel, CancellationToken.None).Bounded();

    protected Task<HistoryPage> ReadAsync(string channel, long? since, int limit) =>
        Store.ReadAsync(channel, new HistoryQuery(since, limit), CancellationToken.None).Bounded();

    protected Task<IReadOnlyList<Publication>> StateAsync(string channel) =>
        Store.ReadStateAsync(channel, CancellationToken.None).Bounded();

    protected Task<int> RemoveExpiredAsync() =>
        Store.RemoveExpiredAsync(Time.GetUtcNow(), IdleTtl, CancellationToken.None).Bounded();

    protected static long[] Offsets(IEnumerable<Publication> publications) => publications.Select(p => p.Offset).ToArray();

    protected static void ShouldBeSamePublication(Publication actual, Publication expected)
    {
        actual.Id.ShouldBe(expected.Id);
        actual.Channel.ShouldBe(expected.Channel);
        actual.Type.ShouldBe(expected.Type);
        actual.Data.ToArray().ShouldBe(expected.Data.ToArray());
        actual.Timestamp.ShouldBe(expected.Timestamp);
        actual.Key.ShouldBe(expected.Key);
        actual.Offset.ShouldBe(expected.Offset);
        actual.Epoch.ShouldBe(expected.Epoch);
        if (expected.Tags is null)
        {
            actual.Tags.ShouldBeNull();
        }
        else
        {
            actual.Tags.ShouldNotBeNull();
            actual.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray()
                .ShouldBe(expected.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray());
        }
    }

    // Offsets and epochs

    [Fact]
    public async Task Append_ToNewChannel_GivesOffsetsStrictlyIncreasingFromOne()
    {
        var offsets = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            offsets.Add((await AppendAsync("a")).Offset);
        }

        offsets.ShouldBe([1, 2, 3, 4, 5]);
        (await PositionAsync("a")).Offset.ShouldBe(5);
    }

    [Fact]
    public async Task Append_ToDifferentChannels_CountsOffsetsIndependently()
    {
        await AppendAsync("a");
        await AppendAsync("a");
        await AppendAsync("b");
        var third = await AppendAsync("a");
        var second = await AppendAsync("b");

        third.Offset.ShouldBe(3);
        second.Offset.ShouldBe(2);
        (await PositionAsync("c")).Offset.ShouldBe(0);
    }

    [Fact]
    public async Task GetPosition_OfUnusedChannel_CreatesStreamWhoseEpochTheFirstPublicationGets()
    {
        var before = await PositionAsync("a");
        var again = await PositionAsync("a");
        var first = await AppendAsync("a");
        var second = await AppendAsync("a");

        before.Offset.ShouldBe(0);
        before.Epoch.ShouldNotBeNullOrEmpty();
        again.ShouldBe(before);
        first.Epoch.ShouldBe(before.Epoch);
        second.Epoch.ShouldBe(before.Epoch);
        (await PositionAsync("a")).ShouldBe(new StreamPosition(2, before.Epoch));
    }

    [Fact]
    public async Task Read_OfUnusedChannel_CreatesStreamWithTheEpochOfLaterAppends()
    {
        var page = await ReadAsync("a", since: null, limit: 10);
        var first = await AppendAsync("a");

        page.Position.Offset.ShouldBe(0);
        page.Publications.ShouldBeEmpty();
        page.HasMore.ShouldBeFalse();
        first.Epoch.ShouldBe(page.Position.Epoch);
    }

    [Fact]
    public async Task Append_ReturnsThePublicationPlacedAtItsPosition()
    {
        var publication = NewPublication("a", key: "k");

        var placed = await AppendAsync(publication);

        ShouldBeSamePublication(placed, publication.At(1, (await PositionAsync("a")).Epoch));
    }

    // Size and TTL

    [Fact]
    public async Task Append_BeyondSize_KeepsNewestAndKeepsCountingOffsets()
    {
        var options = Options(size: 3);
        for (var i = 0; i < 7; i++)
        {
            await AppendAsync("a", options);
        }

        var page = await ReadAsync("a", since: 0, limit: 100);
        var next = await AppendAsync("a", options);

        Offsets(page.Publications).ShouldBe([5, 6, 7]);
        page.HasMore.ShouldBeFalse();
        page.Position.Offset.ShouldBe(7);
        next.Offset.ShouldBe(8);
        Offsets((await ReadAsync("a", since: null, limit: 100)).Publications).ShouldBe([6, 7, 8]);
    }

    [Fact]
    public async Task Read_AfterTtl_ReturnsNoExpiredPublications()
    {
        await AppendAsync("a");
        Time.Advance(TimeSpan.FromMinutes(3));
        await AppendAsync("a");
        Time.Advance(TimeSpan.FromMinutes(3));

        var since = await ReadAsync("a", since: 0, limit: 10);
        var newest = await ReadAsync("a", since: null, limit: 10);
        Time.Advance(TimeSpan.FromMinutes(3));
        var none = await ReadAsync("a", since: 0, limit: 10);

        Offsets(since.Publications).ShouldBe([2]);
        Offsets(newest.Publications).ShouldBe([2]);
        none.Publications.ShouldBeEmpty();
        none.HasMore.ShouldBeFalse();
        none.Position.Offset.ShouldBe(2);
    }

    [Fact]
    public async Task Read_AtExactlyTheTtl_TreatsThePublicationAsExpired()
    {
        await AppendAsync("a");
        Time.Advance(Ttl - TimeSpan.FromMilliseconds(1));
        var live = await ReadAsync("a", since: 0, limit: 10);
        Time.Advance(TimeSpan.FromMilliseconds(1));

        live.Publications.Count.ShouldBe(1);
        (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldBeEmpty();
    }

    [Fact]
    public async Task RemoveExpired_RemovesOnlyPublicationsPastTheirTtl()
    {
        await AppendAsync("a");
        await AppendAsync("b");
        Time.Advance(TimeSpan.FromMinutes(3));
        await AppendAsync("a");
        Time.Advance(TimeSpan.FromMinutes(3));

        var removed = await RemoveExpiredAsync();
        var again = await RemoveExpiredAsync();

        removed.ShouldBe(2);
        again.ShouldBe(0);
        Offsets((await ReadAsync("a", since: 0, limit: 10)).Publications).ShouldBe([2]);
        (await ReadAsync("b", since: 0, limit: 10)).Publications.ShouldBeEmpty();
        (await PositionAsync("a")).Offset.ShouldBe(2);
        (await PositionAsync("b")).Offset.ShouldBe(1);
        (await AppendAsync("b")).Offset.ShouldBe(2);
    }

    [Fact]
    public async Task RemoveExpired_WithNothingToRemove_ReturnsZero()
    {
        await AppendAsync("a");

        (await RemoveExpiredAsync()).ShouldBe(0);
        (await ReadAsync("a", since: 0, limit: 10)).Publications.Count.ShouldBe(1);
    }

    // Reading

    [Fact]
    public async Task Read_Since_PagesInAscendingOrderWithHasMore()
    {
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync("a");
        }

        var first = await ReadAsync("a", since: 0, limit: 2);
        var second = await ReadAsync("a", since: 2, limit: 2);
        var last = await ReadAsync("a", since: 4, limit: 2);
        var exact = await ReadAsync("a", since: 3, limit: 2);

        Offsets(first.Publications).ShouldBe([1, 2]);
        first.HasMore.ShouldBeTrue();
        Offsets(second.Publications).ShouldBe([3, 4]);
        second.HasMore.ShouldBeTrue();
        Offsets(last.Publications).ShouldBe([5]);
        last.HasMore.ShouldBeFalse();
        Offsets(exact.Publications).ShouldBe([4, 5]);
        exact.HasMore.ShouldBeFalse();
        first.Position.ShouldBe(await PositionAsync("a"));
    }

    [Fact]
    public async Task Read_WithoutSince_ReturnsTheNewestInAscendingOrder()
    {
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync("a");
        }

        var newest = await ReadAsync("a", since: null, limit: 3);
        var all = await ReadAsync("a", since: null, limit: 100);

        Offsets(newest.Publications).ShouldBe([3, 4, 5]);
        newest.HasMore.ShouldBeFalse();
        Offsets(all.Publications).ShouldBe([1, 2, 3, 4, 5]);
        all.Position.Offset.ShouldBe(5);
    }

    [Fact]
    public async Task Read_SinceTheTopOrBeyond_ReturnsNothing()
    {
        await AppendAsync("a");
        await AppendAsync("a");

        var atTop = await ReadAsync("a", since: 2, limit: 10);
        var beyond = await ReadAsync("a", since: 50, limit: 10);

        atTop.Publications.ShouldBeEmpty();
        atTop.HasMore.ShouldBeFalse();
        beyond.Publications.ShouldBeEmpty();
        beyond.HasMore.ShouldBeFalse();
        beyond.Position.Offset.ShouldBe(2);
    }

    [Fact]
    public async Task Read_ReturnsOnlyTheChannelsOwnPublications()
    {
        await AppendAsync("a");
        await AppendAsync("b");
        await AppendAsync("a");

        var page = await ReadAsync("a", since: 0, limit: 10);

        page.Publications.ShouldAllBe(p => p.Channel == "a");
        Offsets(page.Publications).ShouldBe([1, 2]);
        page.Publications.ShouldAllBe(p => p.Epoch == page.Position.Epoch);
    }

    // Latest state

    [Fact]
    public async Task ReadState_KeepsTheNewestPublicationPerKeyInAscendingOffsetOrder()
    {
        var options = Options(keepState: true);
        await AppendAsync("a", options, key: "x", data: """{"v":1}""");
        await AppendAsync("a", options, key: "y", data: """{"v":2}""");
        await AppendAsync("a", options, key: null);
        await AppendAsync("a", options, key: "x", data: """{"v":4}""");

        var state = await StateAsync("a");

        state.Select(p => (p.Key, p.Offset)).ShouldBe([("y", 2L), ("x", 4L)]);
        Encoding.UTF8.GetString(state[1].Data.Span).ShouldBe("""{"v":4}""");
        state.ShouldAllBe(p => p.Channel == "a" && p.Epoch == state[0].Epoch);
        (await StateAsync("b")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ReadState_BeyondMaxStateKeys_EvictsTheLeastRecentlyUpdated()
    {
        var options = Options(keepState: true, maxStateKeys: 2);
        await AppendAsync("a", options, key: "x");
        await AppendAsync("a", options, key: "y");
        await AppendAsync("a", options, key: "x");
        await AppendAsync("a", options, key: "z");

        var state = await StateAsync("a");

        state.Select(p => (p.Key, p.Offset)).ShouldBe([("x", 3L), ("z", 4L)]);
    }

    [Fact]
    public async Task ReadState_WhenTheChannelKeepsNoState_IsEmpty()
    {
        await AppendAsync("a", Options(keepState: false), key: "x");

        (await StateAsync("a")).ShouldBeEmpty();
    }

    [Fact]
    public async Task ReadState_OutlivesTheTtlOfPublications()
    {
        var options = Options(keepState: true);
        await AppendAsync("a", options, key: "x");
        Time.Advance(Ttl * 2);
        await RemoveExpiredAsync();

        (await StateAsync("a")).Select(p => p.Key).ShouldBe(["x"]);
        (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldBeEmpty();
    }

    [Fact]
    public async Task Append_WithSizeZeroAndKeepState_AdvancesOffsetsAndKeepsOnlyState()
    {
        var options = Options(size: 0, keepState: true);
        var first = await AppendAsync("a", options, key: "x");
        var second = await AppendAsync("a", options, key: "y");
        var third = await AppendAsync("a", options, key: "x");

        Offsets([first, second, third]).ShouldBe([1, 2, 3]);
        (await PositionAsync("a")).Offset.ShouldBe(3);
        (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldBeEmpty();
        (await ReadAsync("a", since: null, limit: 10)).Publications.ShouldBeEmpty();
        (await StateAsync("a")).Select(p => (p.Key, p.Offset)).ShouldBe([("y", 2L), ("x", 3L)]);
    }

    // Fidelity

    [Fact]
    public async Task Publication_AllFields_RoundTripExactly()
    {
        // Escapes, a NUL escape, non-ASCII, an astral character both raw and escaped, odd spacing.
        const string json = """{ "text" : "quote \" backslash \\ newline \n tab \t nul \u0000 é 日本 😀 \ud83d\ude00", "n": [1, 2.50, -0e3, null, true] }""";
        var tags = new Dictionary<string, string>
        {
            ["env"] = "prod",
            ["ünïcode"] = "値 😀",
            ["quote\"and\\slash"] = "line\nbreak",
            ["empty"] = "",
        };
        var publication = new Publication
        {
            Id = "0198c0de-id-with-any-text",
            Channel = "org:acme/tasks.42",
            Type = "task.progress",
            Data = Encoding.UTF8.GetBytes(json),
            Timestamp = 1_736_937_000_123,
            Key = "task/42 ✓",
            Tags = tags,
        };

        var placed = await AppendAsync(publication, Options(keepState: true));
        var read = await ReadAsync(publication.Channel, since: 0, limit: 10);
        var state = await StateAsync(publication.Channel);

        var expected = publication.At(1, placed.Epoch!);
        ShouldBeSamePublication(placed, expected);
        ShouldBeSamePublication(read.Publications.ShouldHaveSingleItem(), expected);
        ShouldBeSamePublication(state.ShouldHaveSingleItem(), expected);
        Encoding.UTF8.GetString(read.Publications[0].Data.Span).ShouldBe(json);
    }

    [Fact]
    public async Task Publication_WithoutKeyOrTags_RoundTripsWithNulls()
    {
        var publication = NewPublication("a", key: null, tags: null);

        await AppendAsync(publication);
        var read = (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldHaveSingleItem();

        read.Key.ShouldBeNull();
        read.Tags.ShouldBeNull();
        ShouldBeSamePublication(read, publication.At(1, read.Epoch!));
    }

    [Fact]
    public async Task Publication_WithEmptyTagsAndSlicedData_RoundTrips()
    {
        var buffer = Encoding.UTF8.GetBytes("xx[1,2,3]yy");
        var publication = new Publication
        {
            Id = Publication.NewId(),
            Channel = "a",
            Type = "test.event",
            Data = buffer.AsMemory(2, 7),
            Timestamp = Time.GetUtcNow().ToUnixTimeMilliseconds(),
            Tags = new Dictionary<string, string>(),
        };

        await AppendAsync(publication);
        var read = (await ReadAsync("a", since: 0, limit: 10)).Publications.ShouldHaveSingleItem();

        Encoding.UTF8.GetString(read.Data.Span).ShouldBe("[1,2,3]");
        read.Tags.ShouldNotBeNull().ShouldBeEmpty();
    }

    // Idle streams

    [Fact]
    public async Task RemoveExpired_IdleEmptyStream_IsRemovedAndTheChannelGetsANewEpoch()
    {
        var first = await AppendAsync("a", Options(ttl: TimeSpan.FromMinutes(1)));
        Time.Advance(IdleTtl + TimeSpan.FromMinutes(1));

        var removed = await RemoveExpiredAsync();
        var position = await PositionAsync("a");
        var next = await AppendAsync("a");

        removed.ShouldBe(2); // the publication and the stream
        position.Offset.ShouldBe(0);
        position.Epoch.ShouldNotBe(first.Epoch);
        next.Offset.ShouldBe(1);
        next.Epoch.ShouldBe(position.Epoch);
    }

    [Fact]
    public async Task RemoveExpired_KeepsStreamsRecentlyUsedOrHoldingPublicationsOrState()
    {
        var idle = await PositionAsync("idle");
        var withPublications = await AppendAsync("publications", Options(ttl: IdleTtl * 3));
        var withState = await AppendAsync("state", Options(size: 0, keepState: true), key: "x");
        Time.Advance(IdleTtl + TimeSpan.FromMinutes(1));
        await AppendAsync("recent", Options(size: 0));

        var removed = await RemoveExpiredAsync();

        removed.ShouldBe(1); // "idle": no publications, no state, unused for longer than the idle TTL
        (await PositionAsync("publications")).ShouldBe(new StreamPosition(1, withPublications.Epoch!));
        (await PositionAsync("state")).ShouldBe(new StreamPosition(1, withState.Epoch!));
        (await PositionAsync("recent")).Offset.ShouldBe(1);
        (await PositionAsync("idle")).Epoch.ShouldNotBe(idle.Epoch);
    }

    // Concurrency and health

    [Fact]
    public async Task Append_ConcurrentlyOnDifferentChannels_AllLand()
    {
        const int channels = 16;
        const int perChannel = 20;

        // Appends to one channel are sequential (the node serializes them); channels run together.
        var placed = await Task.WhenAll(Enumerable.Range(0, channels).Select(c => Task.Run(async () =>
        {
            var offsets = new List<long>();
            for (var i = 0; i < perChannel; i++)
            {
                offsets.Add((await AppendAsync($"c{c}", Options(size: 100))).Offset);
            }
            return offsets;
        }))).Bounded();

        var expected = Enumerable.Range(1, perChannel).Select(i => (long)i).ToArray();
        placed.ShouldAllBe(offsets => offsets.SequenceEqual(expected));
        for (var c = 0; c < channels; c++)
        {
            var page = await ReadAsync($"c{c}", since: 0, limit: 100);
            Offsets(page.Publications).ShouldBe(expected);
            page.Position.Offset.ShouldBe(perChannel);
        }
    }

    [Fact]
    public async Task Reads_ConcurrentWithAppendsToOtherChannels_SeeConsistentPages()
    {
        for (var i = 0; i < 10; i++)
        {
            await AppendAsync("read");
        }

        var appends = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await AppendAsync("write");
            }
        });
        var reads = Enumerable.Range(0, 20).Select(_ => Task.Run(() => ReadAsync("read", since: 0, limit: 100))).ToArray();
        await Task.WhenAll([appends, .. reads]).Bounded();

        foreach (var read in reads)
        {
            Offsets((await read).Publications).ShouldBe(Enumerable.Range(1, 10).Select(i => (long)i).ToArray());
        }
        (await PositionAsync("write")).Offset.ShouldBe(50);
    }

    [Fact]
    public async Task IsHealthy_WhenInitialized_IsTrue()
    {
        (await Store.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
    }
}
