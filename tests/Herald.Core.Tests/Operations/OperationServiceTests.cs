using Herald.Core.Operations;
using Herald.Core.Tests.Infrastructure;

namespace Herald.Core.Tests.Operations;

public sealed class OperationServiceTests
{
    private sealed class CountingHandler : IOperationHandler
    {
        private int _runs;

        public string Type => "t.quick";

        public int Runs => Volatile.Read(ref _runs);

        public Task ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Handlers_OnManyDistinctResources_LeaveNoResourceLockBehind()
    {
        await using var node = await TestNode.StartAsync();
        var handler = new CountingHandler();
        await using var service = new OperationService(node, new MemoryOperationStore(), new OperationsOptions(), [handler]);
        await service.StartAsync(CancellationToken.None).WaitAsync(TestNode.Timeout);
        const int Resources = 200;
        var actor = OperationActor.ForApiKey("test");
        for (var i = 0; i < Resources; i++)
        {
            var (operation, created, error) = await service.CreateAsync(new OperationRequest("t.quick", $"service:acme/s{i}", default, null), actor).AsTask().WaitAsync(TestNode.Timeout);
            error.ShouldBeNull();
            created.ShouldBeTrue();
            operation.ShouldNotBeNull();
        }

        var deadline = DateTime.UtcNow + TestNode.Timeout;
        while ((handler.Runs < Resources || service.ResourceGateCount > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        handler.Runs.ShouldBe(Resources);
        service.ResourceGateCount.ShouldBe(0);
    }
}
