using Herald.Core.Operations;

namespace Herald.Specification.Tests.Operations;

public sealed class MemoryOperationStoreTests : OperationStoreSpecification
{
    protected override IOperationStore CreateStore() => new MemoryOperationStore();
}
