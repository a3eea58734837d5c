namespace Herald.Core.Tests;

public sealed class OutboxTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static ReadOnlyMemory<byte> Frame(int length, byte fill = 0x61) => Enumerable.Repeat(fill, length).ToArray();

    [Fact]
    public void TryEnqueue_WithinBounds_CountsBytesAndMessages()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);

        outbox.TryEnqueue(Frame(10)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(20)).ShouldBeTrue();

        outbox.QueuedMessages.ShouldBe(2);
        outbox.QueuedBytes.ShouldBe(30);
    }

    [Fact]
    public void TryEnqueue_PastMessageBound_ReturnsFalseAndKeepsCounters()
    {
        var outbox = new Outbox(maxBytes: 1_000_000, maxMessages: 3);
        for (var i = 0; i < 3; i++)
        {
            outbox.TryEnqueue(Frame(1)).ShouldBeTrue();
        }

        outbox.TryEnqueue(Frame(1)).ShouldBeFalse();

        outbox.QueuedMessages.ShouldBe(3);
        outbox.QueuedBytes.ShouldBe(3);
    }

    [Fact]
    public void TryEnqueue_PastByteBound_ReturnsFalseAndKeepsCounters()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 1000);
        outbox.TryEnqueue(Frame(60)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(40)).ShouldBeTrue();

        outbox.TryEnqueue(Frame(1)).ShouldBeFalse();

        outbox.QueuedMessages.ShouldBe(2);
        outbox.QueuedBytes.ShouldBe(100);
    }

    [Fact]
    public void TryEnqueue_FrameThatWouldCrossByteBound_IsRefusedButSmallerOneFits()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 1000);
        outbox.TryEnqueue(Frame(90)).ShouldBeTrue();

        outbox.TryEnqueue(Frame(11)).ShouldBeFalse();
        outbox.TryEnqueue(Frame(10)).ShouldBeTrue();
        outbox.QueuedBytes.ShouldBe(100);
    }

    [Fact]
    public void TryEnqueue_SingleFrameLargerThanByteBound_IsAcceptedIntoEmptyQueue()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);

        outbox.TryEnqueue(Frame(1000)).ShouldBeTrue();

        outbox.QueuedMessages.ShouldBe(1);
        outbox.QueuedBytes.ShouldBe(1000);
        outbox.TryEnqueue(Frame(1)).ShouldBeFalse();
    }

    [Fact]
    public void TryEnqueue_LargeFrameIntoNonEmptyQueue_IsRefused()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        outbox.TryEnqueue(Frame(1)).ShouldBeTrue();

        outbox.TryEnqueue(Frame(1000)).ShouldBeFalse();

        outbox.QueuedMessages.ShouldBe(1);
        outbox.QueuedBytes.ShouldBe(1);
    }

    [Fact]
    public void TryDequeue_ReturnsFramesInOrderAndLowersCounters()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        var first = Frame(10, 1);
        var second = Frame(20, 2);
        outbox.TryEnqueue(first).ShouldBeTrue();
        outbox.TryEnqueue(second).ShouldBeTrue();

        outbox.TryDequeue(out var a).ShouldBeTrue();
        a.ShouldBe(first);
        outbox.QueuedMessages.ShouldBe(1);
        outbox.QueuedBytes.ShouldBe(20);

        outbox.TryDequeue(out var b).ShouldBeTrue();
        b.ShouldBe(second);
        outbox.QueuedMessages.ShouldBe(0);
        outbox.QueuedBytes.ShouldBe(0);

        outbox.TryDequeue(out _).ShouldBeFalse();
    }

    [Fact]
    public void TryEnqueue_AfterDraining_AcceptsAgainUpToTheBound()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 2);
        outbox.TryEnqueue(Frame(50)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(50)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(1)).ShouldBeFalse();

        outbox.TryDequeue(out _).ShouldBeTrue();

        outbox.TryEnqueue(Frame(50)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(1)).ShouldBeFalse();
    }

    [Fact]
    public void TryEnqueue_SharesTheFrameWithoutCopying()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        var array = new byte[] { 1, 2, 3 };

        outbox.TryEnqueue(array).ShouldBeTrue();

        outbox.TryDequeue(out var frame).ShouldBeTrue();
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray(frame.Bytes, out var segment).ShouldBeTrue();
        segment.Array.ShouldBeSameAs(array);
    }

    [Fact]
    public async Task WaitToReadAsync_CompletesWhenAFrameArrives()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        var wait = outbox.WaitToReadAsync().AsTask();
        wait.IsCompleted.ShouldBeFalse();

        outbox.TryEnqueue(Frame(1)).ShouldBeTrue();

        (await wait.WaitAsync(Timeout)).ShouldBeTrue();
    }

    [Fact]
    public async Task WaitToReadAsync_RepeatedWaits_EachCompleteWithTheirFrame()
    {
        var outbox = new Outbox(maxBytes: 1000, maxMessages: 10);
        for (var i = 0; i < 50; i++)
        {
            var wait = outbox.WaitToReadAsync();
            wait.IsCompleted.ShouldBeFalse();
            outbox.TryEnqueue(Frame(1, (byte)i)).ShouldBeTrue();

            (await wait.AsTask().WaitAsync(Timeout)).ShouldBeTrue();
            outbox.TryDequeue(out var frame).ShouldBeTrue();
            frame.Bytes.Span[0].ShouldBe((byte)i);
        }
    }

    [Fact]
    public async Task WaitToReadAsync_FramesArrivingBeforeTheWriterRuns_AreAllThereWhenItDoes()
    {
        var outbox = new Outbox(maxBytes: 100_000, maxMessages: 1000);
        var wait = outbox.WaitToReadAsync().AsTask();
        for (var i = 0; i < 100; i++)
        {
            outbox.TryEnqueue(Frame(1, (byte)i)).ShouldBeTrue();
        }

        (await wait.WaitAsync(Timeout)).ShouldBeTrue();
        for (var i = 0; i < 100; i++)
        {
            outbox.TryDequeue(out var frame).ShouldBeTrue();
            frame.Bytes.Span[0].ShouldBe((byte)i);
        }
        outbox.TryDequeue(out _).ShouldBeFalse();
        outbox.QueuedBytes.ShouldBe(0);
    }

    [Fact]
    public void TryEnqueue_WrappingAroundTheRing_KeepsOrder()
    {
        var outbox = new Outbox(maxBytes: 100_000, maxMessages: 1000);
        var next = 0;
        var expected = 0;
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < 3 + round % 7; i++)
            {
                outbox.TryEnqueue(Frame(1, (byte)next++)).ShouldBeTrue();
            }
            for (var i = 0; i < 2 + round % 5 && outbox.TryDequeue(out var frame); i++)
            {
                frame.Bytes.Span[0].ShouldBe((byte)expected++);
            }
        }
        while (outbox.TryDequeue(out var frame))
        {
            frame.Bytes.Span[0].ShouldBe((byte)expected++);
        }
        expected.ShouldBe(next);
        outbox.QueuedMessages.ShouldBe(0);
    }

    [Fact]
    public async Task WaitToReadAsync_Canceled_ThrowsAndTheNextWaitStillWorks()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        using var cancel = new CancellationTokenSource();
        var wait = outbox.WaitToReadAsync(cancel.Token).AsTask();

        cancel.Cancel();

        await Should.ThrowAsync<OperationCanceledException>(() => wait.WaitAsync(Timeout));
        var next = outbox.WaitToReadAsync().AsTask();
        outbox.TryEnqueue(Frame(1)).ShouldBeTrue();
        (await next.WaitAsync(Timeout)).ShouldBeTrue();
    }

    [Fact]
    public async Task WaitToReadAsync_WithATokenThatIsNeverCanceled_CompletesWhenAFrameArrives()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        using var cancel = new CancellationTokenSource();
        var wait = outbox.WaitToReadAsync(cancel.Token).AsTask();

        outbox.TryEnqueue(Frame(1)).ShouldBeTrue();

        (await wait.WaitAsync(Timeout)).ShouldBeTrue();
    }

    [Fact]
    public void WaitToReadAsync_SecondReaderWhileOneWaits_IsRefused()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        _ = outbox.WaitToReadAsync();

        Should.Throw<InvalidOperationException>(() => outbox.WaitToReadAsync());
    }

    [Fact]
    public async Task TryEnqueue_ManyWritersAtOnce_NothingLostAndBoundsHold()
    {
        var outbox = new Outbox(maxBytes: 1_000_000, maxMessages: 100_000);
        var reader = Task.Run(async () =>
        {
            var read = 0;
            while (await outbox.WaitToReadAsync())
            {
                while (outbox.TryDequeue(out _))
                {
                    read++;
                }
            }
            return read;
        });
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            var accepted = 0;
            for (var i = 0; i < 10_000; i++)
            {
                if (outbox.TryEnqueue(Frame(1)))
                {
                    accepted++;
                }
            }
            return accepted;
        })).ToArray();

        var accepted = (await Task.WhenAll(writers).WaitAsync(Timeout)).Sum();
        outbox.Complete();

        (await reader.WaitAsync(Timeout)).ShouldBe(accepted);
        accepted.ShouldBe(40_000);
        outbox.QueuedBytes.ShouldBe(0);
    }

    [Fact]
    public async Task Complete_PendingFramesStillDrain_ThenWaitToReadReturnsFalse()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        outbox.TryEnqueue(Frame(1)).ShouldBeTrue();
        outbox.TryEnqueue(Frame(2)).ShouldBeTrue();

        outbox.Complete();

        (await outbox.WaitToReadAsync().AsTask().WaitAsync(Timeout)).ShouldBeTrue();
        outbox.TryDequeue(out _).ShouldBeTrue();
        outbox.TryDequeue(out _).ShouldBeTrue();
        (await outbox.WaitToReadAsync().AsTask().WaitAsync(Timeout)).ShouldBeFalse();
        outbox.QueuedMessages.ShouldBe(0);
        outbox.QueuedBytes.ShouldBe(0);
    }

    [Fact]
    public async Task Complete_WakesAWaitingReader()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        var wait = outbox.WaitToReadAsync().AsTask();

        outbox.Complete();

        (await wait.WaitAsync(Timeout)).ShouldBeFalse();
    }

    [Fact]
    public void TryEnqueue_AfterComplete_ReturnsFalseAndLeavesCountersAlone()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);
        outbox.TryEnqueue(Frame(5)).ShouldBeTrue();
        outbox.Complete();

        outbox.TryEnqueue(Frame(7)).ShouldBeFalse();

        outbox.QueuedMessages.ShouldBe(1);
        outbox.QueuedBytes.ShouldBe(5);
    }

    [Fact]
    public void Complete_IsIdempotent()
    {
        var outbox = new Outbox(maxBytes: 100, maxMessages: 10);

        outbox.Complete();
        Should.NotThrow(outbox.Complete);
    }

    [Fact]
    public async Task Clear_DropsEveryFrameAndResetsCounters()
    {
        var outbox = new Outbox(maxBytes: 1000, maxMessages: 10);
        for (var i = 0; i < 5; i++)
        {
            outbox.TryEnqueue(Frame(10)).ShouldBeTrue();
        }

        outbox.Clear();

        outbox.QueuedMessages.ShouldBe(0);
        outbox.QueuedBytes.ShouldBe(0);
        outbox.TryDequeue(out _).ShouldBeFalse();
        outbox.Complete();
        (await outbox.WaitToReadAsync().AsTask().WaitAsync(Timeout)).ShouldBeFalse();
    }

    [Fact]
    public async Task TryEnqueue_ConcurrentProducers_NeverExceedTheMessageBound()
    {
        const int bound = 100;
        var outbox = new Outbox(maxBytes: int.MaxValue, maxMessages: bound);
        var accepted = 0;
        using var start = new ManualResetEventSlim();
        var producers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            start.Wait(Timeout);
            for (var i = 0; i < 1000; i++)
            {
                if (outbox.TryEnqueue(Frame(1)))
                {
                    Interlocked.Increment(ref accepted);
                }
            }
        })).ToArray();

        start.Set();
        await Task.WhenAll(producers).WaitAsync(Timeout);

        accepted.ShouldBe(bound);
        outbox.QueuedMessages.ShouldBe(bound);
        outbox.QueuedBytes.ShouldBe(bound);
    }
}
