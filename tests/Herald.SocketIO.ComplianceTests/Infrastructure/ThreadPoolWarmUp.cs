using System.Runtime.CompilerServices;

namespace Herald.SocketIO.ComplianceTests.Infrastructure;

/// <summary>
/// The server runs in the test process, sharing its thread pool with the test runner, whose
/// threads block while it starts up. On a two-core machine the pool starts with two threads and
/// adds more only about twice a second, so for the first seconds continuations can wait 0.5-1 s:
/// a 300 ms heartbeat case then sees its ping sent late. A standalone server has no such
/// neighbour; a larger minimum gives the in-process one the same footing.
/// </summary>
internal static class ThreadPoolWarmUp
{
    [ModuleInitializer]
    internal static void RaiseMinimumThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), Math.Max(completionPorts, 32));
    }
}
