using Herald.Core.History;

namespace Herald.Specification.Tests.History;

public sealed class MemoryHistoryStoreTests : HistoryStoreSpecification
{
    protected override IHistoryStore CreateStore(TimeProvider time) => new MemoryHistoryStore(time);
}
