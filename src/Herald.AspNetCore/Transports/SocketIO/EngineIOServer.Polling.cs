using System.Buffers;
using Herald.AspNetCore.Internal;
using Herald.Messages;
using Herald.Protocol.SocketIO;
using Microsoft.AspNetCore.Http;

namespace Herald.AspNetCore.Transports.SocketIO;

internal sealed partial class EngineIOServer
{
    /// <summary>
    /// A long-polling GET: waits for queued frames and answers them as one payload. A second GET
    /// while one waits closes the session (the waiting one gets a close packet, this one a 400); an
    /// upgrade ends the wait with a noop.
    /// </summary>
    private async Task PollAsync(HttpContext context, EngineIOSession session)
    {
        if (session.TransportState == EngineIOSession.Probing)
        {
            await WriteText(context, NoopAnswer).ConfigureAwait(false);
            return;
        }
        if (session.Client.IsPongOverdue)
        {
            session.Client.Disconnect(DisconnectCode.NoPong);
            CloseSession(session, CloseAnswer);
            await Error(context, EngineIOHttpErrorCode.SessionIdUnknown).ConfigureAwait(false);
            return;
        }
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (!session.TryStartPoll(wake))
        {
            CloseSession(session, CloseAnswer);
            await Error(context, EngineIOHttpErrorCode.BadRequest, "duplicate poll request: the session is closed").ConfigureAwait(false);
            return;
        }
        try
        {
            var (frames, closing, wakeAnswer) = await WaitForFramesAsync(context, session, wake.Token).ConfigureAwait(false);
            if (wakeAnswer is not null)
            {
                await WriteText(context, wakeAnswer).ConfigureAwait(false);
                return;
            }
            await AnswerPollAsync(context, session, frames, closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away while waiting; the heartbeat decides whether the session lives on.
        }
        finally
        {
            session.EndPoll();
        }
    }

    /// <summary>
    /// Waits until the outbox has frames (closing is true when it completed instead), or until the
    /// wait is woken with an answer (a noop for an upgrade) while the request is still open.
    /// </summary>
    private static async Task<(List<EngineIOFrame> Frames, bool Closing, byte[]? WakeAnswer)> WaitForFramesAsync(
        HttpContext context, EngineIOSession session, CancellationToken wake)
    {
        var outbox = session.Client.Outbox;
        var frames = new List<EngineIOFrame>();
        try
        {
            while (frames.Count == 0)
            {
                if (!await outbox.WaitToReadAsync(wake).ConfigureAwait(false))
                {
                    return (frames, true, null);
                }
                while (outbox.TryDequeue(out var frame))
                {
                    frames.Add(new EngineIOFrame(frame.Bytes, frame.IsBinary));
                }
            }
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && session.WakeAnswer is { } answer)
        {
            return (frames, false, answer);
        }
        return (frames, false, null);
    }

    /// <summary>Writes the frames as one payload; when closing, adds the final frames and the close packet, then closes the client.</summary>
    private async Task AnswerPollAsync(HttpContext context, EngineIOSession session, List<EngineIOFrame> frames, bool closing)
    {
        var client = session.Client;
        if (closing)
        {
            if (client.DisconnectCode is { } code)
            {
                frames.AddRange(handler.FinalFrames(session, code).Select(f => new EngineIOFrame(f.Bytes, f.IsBinary)));
            }
            frames.Add(EngineIOFrame.Close);
        }
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = EngineIOCodec.PollingContentType;
        context.Response.Headers.CacheControl = "no-store";
        EngineIOCodec.WritePayload(context.Response.BodyWriter, frames);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted).ConfigureAwait(false);
        if (closing)
        {
            client.Close();
        }
    }

    /// <summary>A long-polling POST: decodes the payload and handles its packets; a bad payload closes the session.</summary>
    private async Task PostAsync(HttpContext context, EngineIOSession session)
    {
        if (context.Request.ContentLength > MaxPayload)
        {
            CloseSession(session, CloseAnswer);
            await Error(context, EngineIOHttpErrorCode.BadRequest, "payload too large", StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
            return;
        }
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            CloseSession(session, CloseAnswer);
            await Error(context, EngineIOHttpErrorCode.BadRequest, "payload too large", StatusCodes.Status413PayloadTooLarge).ConfigureAwait(false);
            return;
        }
        if (!EngineIOCodec.DecodePayload(body, MaxPayload).TryGetValue(out var packets, out var error))
        {
            logger.RequestFailed(session.Client.Id, 0, error.Message);
            CloseSession(session, CloseAnswer);
            await Error(context, EngineIOHttpErrorCode.BadRequest, error.Message).ConfigureAwait(false);
            return;
        }
        await session.Inbound.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            foreach (var packet in packets)
            {
                if (session.TransportState == EngineIOSession.Closed)
                {
                    break;
                }
                if (packet.Type == EngineIOPacketType.Upgrade || !await HandlePacketAsync(session, packet).ConfigureAwait(false))
                {
                    CloseSession(session, CloseAnswer);
                    await Error(context, EngineIOHttpErrorCode.BadRequest, $"unexpected packet {packet.Type}").ConfigureAwait(false);
                    return;
                }
            }
        }
        finally
        {
            session.Inbound.Release();
        }
        await WriteText(context, "ok"u8.ToArray()).ConfigureAwait(false);
    }

    /// <summary>The request body, or null when it is larger than <c>maxPayload</c>.</summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (result.Buffer.Length > MaxPayload)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                return null;
            }
            if (result.IsCompleted)
            {
                var body = result.Buffer.ToArray();
                reader.AdvanceTo(result.Buffer.End);
                return body;
            }
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
