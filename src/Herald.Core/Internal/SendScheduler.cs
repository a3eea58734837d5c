using System.Collections.Concurrent;

namespace Herald.Core.Internal;

/// <summary>
/// Wakes connection writers in batches. An outbox that gets a frame while its writer waits is
/// queued here instead of scheduling the writer's continuation on the thread pool by itself; one
/// thread-pool work item then resumes every queued writer in turn, on one thread. A fan-out to
/// 10 000 connections is so one work item per scheduler rather than 10 000, and a writer that is
/// still queued when the next publication arrives takes both frames in one write.
/// </summary>
/// <remarks>
/// The same design as Kestrel's <c>IOQueue</c>: a queue, and a flag that keeps at most one work
/// item in flight. There is one scheduler per core; each outbox is bound to one of them, round-robin.
/// </remarks>
internal sealed class SendScheduler : IThreadPoolWorkItem
{
    private static readonly SendScheduler[] Schedulers = CreateSchedulers();
    private static int _next;

    private readonly ConcurrentQueue<Outbox> _ready = new();
    private int _running;

    /// <summary>The scheduler for the next outbox (round-robin over one per core).</summary>
    public static SendScheduler Next() => Schedulers[(int)((uint)Interlocked.Increment(ref _next) % (uint)Schedulers.Length)];

    private static SendScheduler[] CreateSchedulers()
    {
        var schedulers = new SendScheduler[Math.Max(1, Environment.ProcessorCount)];
        for (var i = 0; i < schedulers.Length; i++)
        {
            schedulers[i] = new SendScheduler();
        }
        return schedulers;
    }

    /// <summary>Queues an outbox whose writer is to be resumed.</summary>
    public void Schedule(Outbox outbox)
    {
        _ready.Enqueue(outbox);
        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    void IThreadPoolWorkItem.Execute()
    {
        while (true)
        {
            while (_ready.TryDequeue(out var outbox))
            {
                outbox.ResumeWriter();
            }
            Volatile.Write(ref _running, 0);
            if (_ready.IsEmpty || Interlocked.Exchange(ref _running, 1) != 0)
            {
                return;
            }
        }
    }
}
