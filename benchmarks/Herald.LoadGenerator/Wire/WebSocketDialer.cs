using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;

namespace Herald.LoadGenerator.Wire;

/// <summary>
/// Opens a client WebSocket from a chosen loopback source address: TCP connect, the HTTP/1.1
/// upgrade written by hand, then <see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>.
/// Spreading connections over 127.0.0.1, 127.0.0.2, … keeps each (source, destination) pair far
/// from the ephemeral port range's end, and IP_BIND_ADDRESS_NO_PORT lets the kernel pick the port
/// at connect time so that every source address offers the full range to every destination.
/// </summary>
public static class WebSocketDialer
{
    private const int IpBindAddressNoPort = 24;

    public static async Task<WebSocket> ConnectAsync(IPEndPoint server, IPAddress source, string pathAndQuery, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (!source.Equals(IPAddress.Loopback))
            {
                socket.SetRawSocketOption((int)SocketOptionLevel.IP, IpBindAddressNoPort, BitConverter.GetBytes(1));
                socket.Bind(new IPEndPoint(source, 0));
            }
            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            var request = Encoding.ASCII.GetBytes(
                $"GET {pathAndQuery} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
            await stream.WriteAsync(request, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[4096];
            var count = 0;
            int end;
            while ((end = buffer.AsSpan(0, count).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (count == buffer.Length)
                {
                    throw new IOException("upgrade response headers too large");
                }
                var n = await stream.ReadAsync(buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("connection closed during the upgrade");
                }
                count += n;
            }
            var status = Encoding.ASCII.GetString(buffer, 0, buffer.AsSpan(0, end).IndexOf("\r\n"u8) is var eol and >= 0 ? eol : end);
            if (!status.Contains(" 101 ", StringComparison.Ordinal))
            {
                throw new IOException($"upgrade refused: {status}");
            }
            var body = end + 4;
            var transport = new PrefixedStream(stream, buffer, body, count - body);
            return WebSocket.CreateFromStream(transport, new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
