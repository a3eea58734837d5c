using Herald.Core.Brokers;
using Herald.Specification.Tests.Infrastructure;
using Herald.Storage.Sqlite;

namespace Herald.Specification.Tests.Brokers;

/// <summary>The broker suite on brokers of one <see cref="MemoryBrokerBus"/> over a <see cref="SqliteHistoryStore"/> in a fresh file.</summary>
public sealed class SqliteMemoryBrokerTests : BrokerSpecification
{
    private readonly TemporaryDirectory _directory = new();
    private SqliteHistoryStore? _store;
    private MemoryBrokerBus? _bus;

    public override Task InitializeAsync()
    {
        _store = new SqliteHistoryStore(_directory.File("history.db"));
        _bus = new MemoryBrokerBus(_store);
        return base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync().Bounded();
        }
        _directory.Dispose();
    }

    protected override IBroker CreateBroker() => new MemoryBroker(_bus ?? throw new InvalidOperationException("not initialized"));

    protected override Task InterruptAsync(IBroker broker)
    {
        ((MemoryBroker)broker).Interrupt();
        return Task.CompletedTask;
    }

    protected override Task ResumeAsync(IBroker broker)
    {
        ((MemoryBroker)broker).Resume();
        return Task.CompletedTask;
    }
}
