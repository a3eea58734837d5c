using System.Buffers;
using System.Globalization;
using System.Text;
using Herald.AspNetCore.Internal;
using Herald.Core;
using Herald.Core.Requests;
using Herald.Messages;
using Herald.Messages.History;
using Herald.Messages.Requests;
using Herald.Protocol;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// Server-Sent Events at <c>/sse?channel=…&amp;channel=…</c>: a one-way fallback with the
/// same auth and scoping as <c>/ws</c>. Each publication is an event named by its type whose
/// <c>data</c> is the native publication frame (the same shared bytes a WebSocket client gets).
/// The event <c>id</c> holds the position of every channel of the stream, so the browser's
/// automatic reconnect with <c>Last-Event-ID</c> recovers all of them.
/// </summary>
internal sealed class SseTransport(Node node, OriginPolicy origins, ILogger<SseTransport> logger)
{
    /// <summary>The transport name in stats.</summary>
    public const string Name = "sse";

    private static readonly byte[] Heartbeat = ": ping\n\n"u8.ToArray();

    /// <summary>Handles one request to the endpoint.</summary>
    public async Task HandleAsync(HttpContext context)
    {
        if (!await TransportGuard.AdmitAsync(context, node, origins, logger).ConfigureAwait(false))
        {
            return;
        }
        var channels = QueryParameter.GetAll(context.Request, "channel").Where(c => c.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        if (channels.Length == 0)
        {
            await HttpProblems.Write(context, StatusCodes.Status400BadRequest, "at least one 'channel' query parameter is required").ConfigureAwait(false);
            return;
        }
        if (channels.Length > node.Options.Limits.MaxSubscriptionsPerConnection)
        {
            await HttpProblems.Result(StatusCodes.Status400BadRequest, $"at most {node.Options.Limits.MaxSubscriptionsPerConnection} channels per stream", HeraldErrorCode.LimitExceeded).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }
        var token = HttpAuthentication.GetBearerToken(context) ?? HttpAuthentication.GetQueryToken(context) ?? "";
        var auth = await node.Requests.ValidateCredentialsAsync(token, HttpAuthentication.GetApiKey(context)).ConfigureAwait(false);
        if (!auth.IsValid)
        {
            await HttpProblems.Result(StatusCodes.Status401Unauthorized, auth.Message, auth.Error).ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var client = node.CreateClient(Name, SsePublicationEncoder.Instance, Heartbeat, expectsPong: false);
        try
        {
            if (client.Authenticate(auth.Principal!) is { } code)
            {
                await HttpProblems.Result(StatusCodes.Status429TooManyRequests, $"connection refused: {HeraldCodes.Reason(code)}").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            // Check every channel before the stream starts, so that a bad one is a clear HTTP error.
            foreach (var channel in channels)
            {
                if (client.Authorize(channel, out _, out _) is { } denied)
                {
                    await HttpProblems.From(denied).ExecuteAsync(context).ConfigureAwait(false);
                    return;
                }
            }
            await StreamAsync(context, client, channels).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            client.Close();
        }
    }

    /// <summary>Starts the event stream, subscribes to every channel (resuming from Last-Event-ID) and runs until either side ends it.</summary>
    private async Task StreamAsync(HttpContext context, Client client, string[] channels)
    {
        var positions = new Positions(channels, context.Request.Headers["Last-Event-ID"].ToString());

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        await context.Response.StartAsync(context.RequestAborted).ConfigureAwait(false);

        var writer = WriteLoopAsync(context, client, positions);
        foreach (var channel in channels)
        {
            await node.Requests.HandleAsync(client, new SubscribeRequest(channel, Since: positions.Since(channel)), new Reply(client), cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        await Task.WhenAny(writer, Task.Delay(Timeout.Infinite, context.RequestAborted)).ConfigureAwait(false);
        client.Close();
        await writer.ConfigureAwait(false);
    }

    private async Task WriteLoopAsync(HttpContext context, Client client, Positions positions)
    {
        var output = context.Response.BodyWriter;
        var outbox = client.Outbox;
        var aborted = context.RequestAborted;
        // A gone peer ends the wait through the outbox (one registration, not one per wait); a
        // stalled write is cut by the heartbeat's write timeout.
        using var registration = aborted.UnsafeRegister(static state => ((Client)state!).Close(), client);
        client.OnWriteStalled(context.Abort);
        try
        {
            output.Write("retry: 2000\n\n"u8);
            await output.FlushAsync(aborted).ConfigureAwait(false);
            while (await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                while (outbox.TryDequeue(out var frame))
                {
                    WriteFrame(output, frame, positions);
                }
                client.OnWriteStarted();
                await output.FlushAsync(aborted).ConfigureAwait(false);
                client.OnWriteFinished();
            }
            if (client.DisconnectCode is { } code && !aborted.IsCancellationRequested)
            {
                if (client.ReconnectDelay is { } delay)
                {
                    // EventSource reconnects by itself: the retry field makes it wait the suggested delay.
                    output.Write(System.Text.Encoding.ASCII.GetBytes($"retry: {(long)(delay * 1000)}\n"));
                }
                output.Write(Event("disconnect", NativeCodec.Disconnect(code, client.ReconnectDelay)));
                client.OnWriteStarted();
                await output.FlushAsync(aborted).ConfigureAwait(false);
                client.OnWriteFinished();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            logger.ConnectionEnded(client.Id, ex.Message);
        }
        finally
        {
            client.Close();
        }
    }

    /// <summary>
    /// Writes one queued frame: a publication gets the stream's position as its event id before
    /// its shared bytes (an SSE event's lines may come in any order); a subscribe answer that
    /// starts a channel's stream moves that channel's position first.
    /// </summary>
    private static void WriteFrame(IBufferWriter<byte> output, OutboundFrame frame, Positions positions)
    {
        if (frame.Start is { } start)
        {
            if (start.Reset)
            {
                // Not recovering: the stream starts at the channel's current position, and the id
                // says so at once, so a reconnect before the first publication still recovers.
                positions.Set(start.Channel, start.Position);
            }
            WriteId(output, positions);
        }
        else if (frame.Publication is { } publication)
        {
            if (publication.Epoch is not null)
            {
                positions.Advance(publication.Channel, new StreamPosition(publication.Offset, publication.Epoch));
            }
            WriteId(output, positions);
        }
        output.Write(frame.Bytes.Span);
    }

    private static void WriteId(IBufferWriter<byte> output, Positions positions)
    {
        output.Write("id: "u8);
        var id = positions.Id;
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(id.Length) + 1);
        var length = Encoding.UTF8.GetBytes(id, span);
        span[length] = (byte)'\n';
        output.Advance(length + 1);
    }

    private static byte[] Event(string name, byte[] data) => SsePublicationEncoder.Event(name, data);

    /// <summary>
    /// Queues request results as events: a subscribe answer (without its publications, which
    /// follow as publication events with their ids; all counted against the send queue) or an
    /// <c>error</c> event.
    /// </summary>
    private readonly struct Reply(Client client) : IRequestReply
    {
        public void Send(RequestResult result)
        {
            if (result.Error is { } error)
            {
                client.Send(Event("error", NativeCodec.Error(null, error)));
                return;
            }
            var subscribed = result.Subscribed!;
            var start = subscribed.Position is { } position ? new StreamStart(subscribed.Channel, position, Reset: subscribed.Recovered != true) : null;
            client.Send(new OutboundFrame(Event("subscribed", NativeCodec.Subscribed(null, subscribed with { Publications = [], State = [] }))) { Start = start });
            foreach (var publication in subscribed.Publications.Concat(subscribed.State))
            {
                client.Send(new OutboundFrame(SsePublicationEncoder.Instance.Encode(publication)) { Publication = publication });
            }
        }
    }

    /// <summary>
    /// The positions of a stream's channels, in the order of the URL, and their text form
    /// <c>epoch:offset,epoch:offset,…</c> (empty for a channel without a stream). A
    /// <c>Last-Event-ID</c> that does not parse for these channels recovers nothing: every
    /// channel then answers <c>recovered: false</c>.
    /// </summary>
    private sealed class Positions
    {
        private readonly string[] _channels;
        private readonly StreamPosition?[] _positions;
        private readonly StreamPosition?[] _since;
        private string? _id;

        public Positions(string[] channels, string lastEventId)
        {
            _channels = channels;
            _positions = new StreamPosition?[channels.Length];
            _since = new StreamPosition?[channels.Length];
            if (string.IsNullOrEmpty(lastEventId))
            {
                return;
            }
            var parts = lastEventId.Split(',');
            for (var i = 0; i < channels.Length; i++)
            {
                // A foreign id (wrong count, bad numbers) still asks for recovery, with a position that cannot match.
                _since[i] = parts.Length == channels.Length && TryParse(parts[i], out var position) ? position : new StreamPosition(0, "unknown");
                _positions[i] = _since[i];
            }
        }

        public StreamPosition? Since(string channel) => _since[Array.IndexOf(_channels, channel)];

        public void Set(string channel, StreamPosition position)
        {
            _positions[Array.IndexOf(_channels, channel)] = position;
            _id = null;
        }

        public void Advance(string channel, StreamPosition position)
        {
            var index = Array.IndexOf(_channels, channel);
            if (index >= 0 && (_positions[index] is not { } current || current.Epoch != position.Epoch || position.Offset > current.Offset))
            {
                _positions[index] = position;
                _id = null;
            }
        }

        public string Id => _id ??= string.Join(',', _positions.Select(p => p is { } v ? $"{v.Epoch}:{v.Offset.ToString(CultureInfo.InvariantCulture)}" : ""));

        private static bool TryParse(string text, out StreamPosition position)
        {
            position = default;
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || text.Length > 200)
            {
                return false;
            }
            position = new StreamPosition(offset, text[..colon]);
            return true;
        }
    }
}
