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
            var client = session.Client;
            var frames = new List<EngineIOFrame>();
            var closing = false;
            try
            {
                while (frames.Count == 0)
                {
                    if (!await client.Outbox.WaitToReadAsync(wake.Token).ConfigureAwait(false))
                    {
                        closing = true;
                        break;
                    }
                    while (client.Outbox.TryDequeue(out var frame))
                    {
                        frames.Add(new EngineIOFrame(frame.Bytes, frame.IsBinary));
                    }
                }
            }
            catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested && session.WakeAnswer is { } answer)
            {
                await WriteText(context, answer).ConfigureAwait(false);
                return;
            }
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
        catch (OperationCanceledException)
        {
            // The client went away while waiting; the heartbeat decides whether the session lives on.
        }
        finally
        {
            session.EndPoll();
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
