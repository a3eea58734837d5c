using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>
/// The machine's floor for one delivery: the cost of one small send(2) and one recv(2) on a
/// loopback TCP connection, with no server, no WebSocket, no runtime machinery in between. Any
/// server that writes each delivery to its own socket pays at least the send; a generator on the
/// same cores pays the receive.
/// </summary>
public static partial class LoopbackCalibration
{
    /// <summary>Wall-clock and CPU (this thread's user + system) microseconds per send and per receive.</summary>
    public sealed record Result(int Sockets, int Rounds, int FrameBytes, double SendMicros, double ReceiveMicros, double SendCpuMicros, double ReceiveCpuMicros, double DeliveriesPerCoreSecond);

    private const int ClockThreadCpuTime = 3;

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [System.Runtime.InteropServices.LibraryImport("libc")]
    private static partial int clock_gettime(int clock, out TimeSpec time);

    /// <summary>CPU time of the calling thread: unlike wall time, it does not grow when other processes take the cores.</summary>
    private static long ThreadCpuNanos() => clock_gettime(ClockThreadCpuTime, out var t) == 0 ? (t.Seconds * 1_000_000_000) + t.Nanoseconds : 0;

    public static Result Run(int sockets = 1000, int rounds = 50, int frameBytes = 250)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(sockets);
        var senders = new Socket[sockets];
        var receivers = new Socket[sockets];
        try
        {
            for (var i = 0; i < sockets; i++)
            {
                senders[i] = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                senders[i].Connect(listener.LocalEndPoint!);
                receivers[i] = listener.Accept();
            }
            var frame = new byte[frameBytes];
            var buffer = new byte[64 * 1024];
            long sendTicks = 0, receiveTicks = 0, sendCpu = 0, receiveCpu = 0;
            for (var round = 0; round < rounds; round++)
            {
                var c0 = ThreadCpuNanos();
                var t0 = Stopwatch.GetTimestamp();
                foreach (var s in senders)
                {
                    s.Send(frame);
                }
                var t1 = Stopwatch.GetTimestamp();
                var c1 = ThreadCpuNanos();
                foreach (var r in receivers)
                {
                    var got = 0;
                    while (got < frameBytes)
                    {
                        got += r.Receive(buffer);
                    }
                }
                var t2 = Stopwatch.GetTimestamp();
                var c2 = ThreadCpuNanos();
                if (round > 0)
                {
                    sendTicks += t1 - t0;
                    receiveTicks += t2 - t1;
                    sendCpu += c1 - c0;
                    receiveCpu += c2 - c1;
                }
            }
            var n = (double)sockets * (rounds - 1);
            var send = sendTicks * 1e6 / Stopwatch.Frequency / n;
            var receive = receiveTicks * 1e6 / Stopwatch.Frequency / n;
            var sendCpuMicros = sendCpu / 1000.0 / n;
            var receiveCpuMicros = receiveCpu / 1000.0 / n;
            return new Result(sockets, rounds, frameBytes, Math.Round(send, 2), Math.Round(receive, 2), Math.Round(sendCpuMicros, 2), Math.Round(receiveCpuMicros, 2),
                Math.Round(1e6 / (sendCpuMicros + receiveCpuMicros), 0));
        }
        finally
        {
            foreach (var s in senders.Concat(receivers))
            {
                s?.Dispose();
            }
        }
    }
}
