using Herald.Core.Operations;
using Herald.Core.Tests.Infrastructure;

namespace Herald.Core.Tests.Operations;

public sealed class ResourceGatesTests
{
    [Fact]
    public async Task Enter_OnOneResource_LetsOneInAtATime_AndForgetsTheResourceOnceAllLeft()
    {
        var gates = new ResourceGates();
        var first = await gates.EnterAsync("r", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        var second = gates.EnterAsync("r", CancellationToken.None).AsTask();
        await Task.Delay(50);
        second.IsCompleted.ShouldBeFalse();
        gates.Count.ShouldBe(1);

        first.Dispose();
        var held = await second.WaitAsync(TestNode.Timeout);
        gates.Count.ShouldBe(1);
        held.Dispose();
        gates.Count.ShouldBe(0);
    }

    [Fact]
    public async Task Enter_Cancelled_WhileWaiting_LeavesNoTrace()
    {
        var gates = new ResourceGates();
        var held = await gates.EnterAsync("r", CancellationToken.None).AsTask().WaitAsync(TestNode.Timeout);
        using var cancel = new CancellationTokenSource();
        var waiting = gates.EnterAsync("r", cancel.Token).AsTask();
        await cancel.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => waiting.WaitAsync(TestNode.Timeout));
        held.Dispose();
        gates.Count.ShouldBe(0);
    }

    [Fact]
    public void Lease_DisposedTwice_ReleasesOnce()
    {
        var gates = new ResourceGates();
        var lease = gates.EnterAsync("r", CancellationToken.None).AsTask().Result;
        lease.Dispose();
        lease.Dispose();
        gates.Count.ShouldBe(0);
        default(ResourceGates.Lease).Dispose();
    }

    [Fact]
    public async Task Enter_UnderContention_NeverHasTwoHoldersOfOneResource()
    {
        var gates = new ResourceGates();
        var inside = new int[4];
        var overlaps = 0;
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 500; i++)
            {
                var resource = (i + w) % inside.Length;
                using var lease = await gates.EnterAsync("r" + resource, CancellationToken.None);
                if (Interlocked.Increment(ref inside[resource]) != 1)
                {
                    Interlocked.Increment(ref overlaps);
                }
                if (i % 7 == 0)
                {
                    await Task.Yield();
                }
                Interlocked.Decrement(ref inside[resource]);
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TestNode.Timeout * 3);
        overlaps.ShouldBe(0);
        gates.Count.ShouldBe(0);
    }
}
