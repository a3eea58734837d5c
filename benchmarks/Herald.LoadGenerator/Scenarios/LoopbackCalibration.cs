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
public static class LoopbackCalibration
{
    public sealed record Result(int Sockets, int Rounds, int FrameBytes, double SendMicros, double ReceiveMicros, double DeliveriesPerCoreSecond);

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
            long sendTicks = 0, receiveTicks = 0;
            for (var round = 0; round < rounds; round++)
            {
                var t0 = Stopwatch.GetTimestamp();
                foreach (var s in senders)
                {
                    s.Send(frame);
                }
                var t1 = Stopwatch.GetTimestamp();
                foreach (var r in receivers)
                {
                    var got = 0;
                    while (got < frameBytes)
                    {
                        got += r.Receive(buffer);
                    }
                }
                var t2 = Stopwatch.GetTimestamp();
                if (round > 0)
                {
                    sendTicks += t1 - t0;
                    receiveTicks += t2 - t1;
                }
            }
            var n = (double)sockets * (rounds - 1);
            var send = sendTicks * 1e6 / Stopwatch.Frequency / n;
            var receive = receiveTicks * 1e6 / Stopwatch.Frequency / n;
            return new Result(sockets, rounds, frameBytes, Math.Round(send, 2), Math.Round(receive, 2), Math.Round(1e6 / (send + receive), 0));
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
