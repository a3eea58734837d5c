using Herald.Core;

namespace Herald.AspNetCore.Transports.SocketIO;

/// <summary>
/// One Engine.IO session: its id, the Herald <see cref="Client"/> whose outbox its transport drains,
/// and its transport state. A session starts on long-polling or WebSocket; a polling session may
/// be upgraded (probe, then upgrade) once. Thread-safe.
/// </summary>
internal sealed class EngineIOSession
{
    internal const int Polling = 0;
    internal const int Probing = 1;
    internal const int WebSocket = 2;
    internal const int Closed = 3;

    private int _state;
    private int _polling;
    private CancellationTokenSource? _pollWake;
    private byte[]? _wakeAnswer;

    internal EngineIOSession(string id, Client client, bool webSocket)
    {
        Id = id;
        Client = client;
        _state = webSocket ? WebSocket : Polling;
    }

    /// <summary>The session id (<c>sid</c>).</summary>
    public string Id { get; }

    /// <summary>The Herald connection behind the session.</summary>
    public Client Client { get; }

    /// <summary>State the handler keeps with the session.</summary>
    public object? State { get; set; }

    /// <summary>The token given in the handshake request (<c>?token=</c> or <c>Authorization: Bearer</c>), if any.</summary>
    public string? HandshakeToken { get; internal set; }

    /// <summary>The API key given in the handshake request's <c>X-API-Key</c> header, if any.</summary>
    public string? HandshakeApiKey { get; internal set; }

    /// <summary>Inbound packets of one session are handled one at a time.</summary>
    internal SemaphoreSlim Inbound { get; } = new(1, 1);

    internal int TransportState => Volatile.Read(ref _state);

    /// <summary>True while a long-polling GET waits.</summary>
    internal bool IsPolling => Volatile.Read(ref _polling) != 0;

    internal bool TryMove(int from, int to) => Interlocked.CompareExchange(ref _state, to, from) == from;

    internal void MarkClosed() => Volatile.Write(ref _state, Closed);

    /// <summary>Claims the one long-polling GET a session may have at a time.</summary>
    internal bool TryStartPoll(CancellationTokenSource wake)
    {
        if (Interlocked.CompareExchange(ref _polling, 1, 0) != 0)
        {
            return false;
        }
        Volatile.Write(ref _pollWake, wake);
        return true;
    }

    internal void EndPoll()
    {
        Volatile.Write(ref _pollWake, null);
        Volatile.Write(ref _polling, 0);
    }

    /// <summary>Ends a waiting GET with <paramref name="answer"/> (a noop for an upgrade, a close for a closing session).</summary>
    internal void WakePoll(byte[] answer)
    {
        Volatile.Write(ref _wakeAnswer, answer);
        try
        {
            Volatile.Read(ref _pollWake)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    internal byte[]? WakeAnswer => Volatile.Read(ref _wakeAnswer);
}
