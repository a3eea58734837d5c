using Herald.Core.Brokers;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Postgres;
using Herald.Testing;

namespace Herald.Specification.Tests.Brokers;

/// <summary>The broker suite with every broker on a database of its own connection pool, as separate nodes have, on a fresh PostgreSQL database per test.</summary>
public sealed class PostgresBrokerTests : BrokerSpecification
{
    private readonly List<PostgresHistoryStore> _stores = [];
    private FreshPostgresDatabase? _database;

    public override async Task InitializeAsync()
    {
        _database = await FreshPostgresDatabase.CreateAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var store in _stores)
        {
            await store.DisposeAsync().AsTask().Bounded();
        }
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    protected override IBroker CreateBroker()
    {
        var store = new PostgresHistoryStore((_database ?? throw new InvalidOperationException("not initialized")).Open());
        _stores.Add(store);
        return new PostgresBroker(store);
    }

    protected override Task InterruptAsync(IBroker broker)
    {
        ((PostgresBroker)broker).Interrupt();
        return Task.CompletedTask;
    }

    protected override Task ResumeAsync(IBroker broker) => ((PostgresBroker)broker).ResumeAsync();

    [Fact]
    public async Task Publication_LargerThanTheNotifyPayloadLimit_ReachesTheOtherNode()
    {
        var (a, _) = await StartBrokerAsync();
        var (b, handlerB) = await StartBrokerAsync();
        await b.SubscribeAsync(Channel, CancellationToken.None).Bounded();
        var data = System.Text.Encoding.UTF8.GetBytes("{\"s\":\"" + new string('y', 100_000) + "\"}");

        var placed = await a.PublishAsync(new Publication { Id = Publication.NewId(), Channel = Channel, Type = "big", Data = data, Timestamp = 1 }, Stream, CancellationToken.None).Bounded();

        var received = (await handlerB.WaitForAsync(Channel, 1)).Single();
        received.Id.ShouldBe(placed.Id);
        received.Data.ToArray().ShouldBe(data);
        received.Offset.ShouldBe(1);
    }

    [Fact]
    public async Task Transient_Publication_ReachesTheOtherNodeWithoutAPosition()
    {
        var (a, _) = await StartBrokerAsync();
        var (b, handlerB) = await StartBrokerAsync();
        await b.SubscribeAsync("plain:acme", CancellationToken.None).Bounded();

        await a.PublishAsync(NewPublication("plain:acme"), stream: null, CancellationToken.None).Bounded();

        var received = (await handlerB.WaitForAsync("plain:acme", 1)).Single();
        received.Offset.ShouldBe(0);
        received.Epoch.ShouldBeNull();
        (await b.GetPositionAsync("plain:acme", CancellationToken.None).Bounded()).Offset.ShouldBe(0);
    }

    [Fact]
    public async Task NodeStartedLater_ReceivesOnlyWhatIsPublishedAfterItStarted()
    {
        var (a, _) = await StartBrokerAsync();
        await a.PublishAsync(NewPublication(Channel), Stream, CancellationToken.None).Bounded();
        var (b, handlerB) = await StartBrokerAsync();
        await b.SubscribeAsync(Channel, CancellationToken.None).Bounded();

        var next = await a.PublishAsync(NewPublication(Channel), Stream, CancellationToken.None).Bounded();

        (await handlerB.WaitForAsync(Channel, 1)).Single().Offset.ShouldBe(next.Offset);
        next.Offset.ShouldBe(2);
    }

    [Fact]
    public async Task IsHealthy_WhenStarted_IsTrue()
    {
        var (a, _) = await StartBrokerAsync();

        (await a.IsHealthyAsync(CancellationToken.None).Bounded()).ShouldBeTrue();
    }
}
