using Herald.Core.Brokers;
using Herald.Core.History;

namespace Herald.Specification.Tests.Brokers;

/// <summary>The broker suite on brokers of one <see cref="MemoryBrokerBus"/> over a <see cref="MemoryHistoryStore"/>.</summary>
public sealed class MemoryBrokerTests : BrokerSpecification
{
    private readonly MemoryBrokerBus _bus = new(new MemoryHistoryStore());

    protected override IBroker CreateBroker() => new MemoryBroker(_bus);

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
