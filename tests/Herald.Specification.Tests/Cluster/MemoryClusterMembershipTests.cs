using Herald.Core.Cluster;

namespace Herald.Specification.Tests.Cluster;

/// <summary>The membership suite on one <see cref="MemoryClusterMembership"/> shared by every "node" of the test, on a manual clock.</summary>
public sealed class MemoryClusterMembershipTests : ClusterMembershipSpecification
{
    private readonly FakeTimeProvider _time = new();
    private readonly MemoryClusterMembership _shared;

    public MemoryClusterMembershipTests()
    {
        _shared = new MemoryClusterMembership(_time);
    }

    protected override IClusterMembership CreateMembership() => _shared;

    protected override Task AgeAsync(string node, TimeSpan by)
    {
        _time.Advance(by);
        return Task.CompletedTask;
    }
}
