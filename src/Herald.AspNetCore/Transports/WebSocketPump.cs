using System.Buffers;
using System.Net.WebSockets;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Messages;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// The read and write loops every WebSocket transport shares: a reader that assembles messages up
/// to a size limit (discarding the rest of an oversized one), and a single writer that drains a
/// client's outbox, coalescing queued frames into one write, then closes with the disconnect code.
/// </summary>
internal static class WebSocketPump
{
    private const int InitialReceiveBuffer = 4096;

    /// <summary>How long a closing connection waits for its other loop before the socket is aborted.</summary>
    public static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(3);

    /// <summary>Completes the handshake and creates the server WebSocket over a coalescing stream.</summary>
    public static async Task<(WebSocket Socket, CoalescingStream Stream)> AcceptAsync(HttpContext context)
    {
        var stream = new CoalescingStream(await WebSocketHandshake.AcceptAsync(context).ConfigureAwait(false));
        // The upgraded request lives as long as the connection: drop its header values (cookies, user agent, a token in
        // Authorization) once the handshake has read them.
        context.Request.Headers.Clear();
        var socket = WebSocket.CreateFromStream(stream, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return (socket, stream);
    }

    /// <summary>
    /// Reads messages until the peer closes. <paramref name="onMessage"/> gets each whole message
    /// (the buffer is reused afterwards: copy what you keep), its type, and whether it was larger
    /// than <paramref name="maxBytes"/> (then the bytes are empty).
    /// </summary>
    /// <remarks>
    /// Between messages the reader waits with a zero-byte receive and holds no buffer: a pooled
    /// one is rented when a message starts and returned when it has been handled, so an idle
    /// connection costs no receive buffer (Kestrel below does the same for its socket reads).
    /// The reads take no cancellation token: an aborted connection fails the read itself.
    /// </remarks>
    public static async Task ReadAsync(WebSocket socket, int maxBytes, Func<ReadOnlyMemory<byte>, WebSocketMessageType, bool, ValueTask> onMessage,
        ILogger logger, string clientId)
    {
        byte[]? buffer = null;
        var count = 0;
        var oversized = false;
        try
        {
            while (true)
            {
                if (count == 0 && !oversized)
                {
                    var next = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                    if (next.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                    if (next.EndOfMessage)
                    {
                        // A whole message of zero bytes.
                        await onMessage(ReadOnlyMemory<byte>.Empty, next.MessageType, false).ConfigureAwait(false);
                        continue;
                    }
                }
                buffer ??= ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
                // The usable part of the buffer never exceeds the limit (pooled arrays may be larger).
                var capacity = Math.Min(buffer.Length, maxBytes);
                if (count == capacity)
                {
                    if (capacity == maxBytes)
                    {
                        // Too large: keep reading into the same buffer only to discard the rest.
                        oversized = true;
                        count = 0;
                    }
                    else
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBytes));
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                        capacity = Math.Min(buffer.Length, maxBytes);
                    }
                }
                var result = await socket.ReceiveAsync(buffer.AsMemory(count, capacity - count), CancellationToken.None).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }
                var length = count;
                count = 0;
                var wasOversized = oversized;
                oversized = false;
                await onMessage(wasOversized ? default : buffer.AsMemory(0, length), result.MessageType, wasOversized).ConfigureAwait(false);
                // Nothing is held while the connection waits for its next message.
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = null;
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException)
        {
            logger.ConnectionEnded(clientId, ex.Message);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// Drains the client's outbox to the socket until the outbox completes, then sends
    /// <paramref name="finalFrames"/> for the disconnect code (if any) and closes the socket with it.
    /// A write that blocks longer than the write timeout aborts the connection: the client marks
    /// each write, and the node's heartbeat cuts a connection whose write has stalled.
    /// </summary>
    public static async Task WriteAsync(WebSocket socket, CoalescingStream stream, Client client,
        Func<DisconnectCode, IEnumerable<OutboundFrame>> finalFrames, ILogger logger)
    {
        var outbox = client.Outbox;
        var coalesce = client.CoalesceWrites;
        client.OnWriteStalled(socket.Abort);
        try
        {
            while (await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                if (!outbox.TryDequeue(out var frame))
                {
                    continue;
                }
                client.OnWriteStarted();
                while (true)
                {
                    var more = outbox.TryDequeue(out var next);
                    stream.Coalesce = more && coalesce;
                    await Send(socket, frame).ConfigureAwait(false);
                    if (!more)
                    {
                        break;
                    }
                    frame = next;
                }
                client.OnWriteFinished();
            }
            stream.Coalesce = false;
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return;
            }
            client.OnWriteStarted();
            if (client.DisconnectCode is { } code)
            {
                foreach (var frame in finalFrames(code))
                {
                    await Send(socket, frame).ConfigureAwait(false);
                }
                await socket.CloseOutputAsync((WebSocketCloseStatus)(int)code, HeraldCodes.Reason(code), CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
            }
            client.OnWriteFinished();
            await AwaitPeerCloseAsync(socket, client).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            logger.ConnectionEnded(client.Id, ex.Message);
            socket.Abort();
        }
    }

    private static ValueTask Send(WebSocket socket, OutboundFrame frame) =>
        socket.SendAsync(frame.Bytes, frame.IsBinary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>
    /// Runs reader and writer to the end. The reader ends when the peer closes (or the socket
    /// fails); the client is then closed, which ends the writer, given a grace period before the
    /// socket is aborted. When the server disconnects first, the writer sends the close frame and
    /// gives the peer the grace period to answer it (<see cref="AwaitPeerCloseAsync"/>). Nothing
    /// waits on both loops while the connection is open, so an idle connection holds no extra task.
    /// </summary>
    public static async Task RunAsync(WebSocket socket, Client client, Task reader, Task writer)
    {
        try
        {
            await reader.ConfigureAwait(false);
        }
        finally
        {
            client.Close();
            await WaitOrAbort(writer, socket).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After the server's close frame, when the peer has not closed yet: it has <see cref="CloseGrace"/>
    /// to answer before the socket is aborted. The reader closes the client when the answer arrives;
    /// a client closed before (not by the reader) gives no such signal, so the grace is waited out.
    /// </summary>
    private static async Task AwaitPeerCloseAsync(WebSocket socket, Client client)
    {
        if (socket.State != WebSocketState.CloseSent)
        {
            return;
        }
        var grace = Task.Delay(CloseGrace);
        await (client.IsClosed ? grace : Task.WhenAny(client.Closed, grace)).ConfigureAwait(false);
        if (socket.State == WebSocketState.CloseSent)
        {
            socket.Abort();
        }
    }

    private static async Task WaitOrAbort(Task task, WebSocket socket)
    {
        if (await Task.WhenAny(task, Task.Delay(CloseGrace)).ConfigureAwait(false) != task)
        {
            socket.Abort();
        }
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }
}
