using Herald.Core.Cluster;

namespace Herald.Specification.Tests.Cluster;

/// <summary>The presence suite on one <see cref="MemoryPresenceStore"/> shared by every "node" of the test.</summary>
public sealed class MemoryPresenceStoreTests : PresenceStoreSpecification
{
    private readonly MemoryPresenceStore _shared = new();

    protected override IPresenceStore CreateStore() => _shared;
}
