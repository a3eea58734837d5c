using System.Buffers.Text;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using Herald.LoadGenerator.Infrastructure;

namespace Herald.LoadGenerator.Wire;

/// <summary>Where and how connections are opened.</summary>
public sealed record ConnectSpec(WireProtocol Protocol, IPEndPoint Server, IReadOnlyList<IPAddress> Sources, Func<int, string> TokenFor)
{
    public IPAddress SourceFor(int index) => Sources[index % Sources.Count];
}

/// <summary>
/// One subscriber connection: a minimal client of the native protocol or of Socket.IO (Engine.IO
/// v4 open, <c>40</c> with auth, <c>2</c>/<c>3</c> heartbeat, <c>42</c> events with <c>43</c> acks).
/// The receive loop answers pings, completes subscribe acknowledgements and hands every benchmark
/// publication (data <c>{"hb":[channel,seq,sentMicros],…}</c>) to the <see cref="DeliveryRecorder"/>.
/// </summary>
public sealed class BenchConnection
{
    private static ReadOnlySpan<byte> Marker => "\"hb\":["u8;
    private static readonly byte[] NativePong = "{\"type\":\"pong\"}"u8.ToArray();
    private static readonly byte[] EngineIOPong = "3"u8.ToArray();

    private readonly WebSocket _socket;
    private readonly WireProtocol _protocol;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private byte[] _buffer;
    private int[] _channels = [];
    private SequenceTracker[] _received = [];
    private TaskCompletionSource? _acks;
    private int _pendingAcks;
    private string? _ackError;
    private volatile bool _closing;
    private DeliveryRecorder? _recorder;
    private Task _loop = Task.CompletedTask;

    private BenchConnection(int index, WebSocket socket, WireProtocol protocol, byte[] buffer)
    {
        Index = index;
        _socket = socket;
        _protocol = protocol;
        _buffer = buffer;
    }

    public int Index { get; }

    /// <summary>Why the server ended the connection, when it did.</summary>
    public string? EndReason { get; private set; }

    public bool IsOpen => _socket.State == WebSocketState.Open && EndReason is null;

    /// <summary>Opens the connection and completes the protocol handshake (authenticated, ready to subscribe).</summary>
    public static async Task<BenchConnection> OpenAsync(ConnectSpec spec, int index, CancellationToken cancellationToken)
    {
        var token = spec.TokenFor(index);
        var path = spec.Protocol == WireProtocol.Native
            ? "/ws?token=" + Uri.EscapeDataString(token)
            : "/socket.io/?EIO=4&transport=websocket";
        var socket = await WebSocketDialer.ConnectAsync(spec.Server, spec.SourceFor(index), path, cancellationToken).ConfigureAwait(false);
        var connection = new BenchConnection(index, socket, spec.Protocol, new byte[2048]);
        try
        {
            if (spec.Protocol == WireProtocol.Native)
            {
                // The token came in the query string: the server answers "connected" at once.
                while (true)
                {
                    var frame = await connection.ReceiveOneAsync(cancellationToken).ConfigureAwait(false);
                    if (frame.Span.IndexOf("\"type\":\"connected\""u8) >= 0)
                    {
                        break;
                    }
                    if (frame.Span.IndexOf("\"type\":\"error\""u8) >= 0 || frame.Span.IndexOf("\"type\":\"disconnect\""u8) >= 0)
                    {
                        throw new IOException("handshake refused: " + Encoding.UTF8.GetString(frame.Span));
                    }
                }
            }
            else
            {
                var open = await connection.ReceiveOneAsync(cancellationToken).ConfigureAwait(false);
                if (open.Length == 0 || open.Span[0] != (byte)'0')
                {
                    throw new IOException("expected the Engine.IO open packet, got: " + Encoding.UTF8.GetString(open.Span));
                }
                await connection.SendAsync(Encoding.UTF8.GetBytes("40{\"token\":\"" + token + "\"}"), cancellationToken).ConfigureAwait(false);
                while (true)
                {
                    var frame = await connection.ReceiveOneAsync(cancellationToken).ConfigureAwait(false);
                    var span = frame.Span;
                    if (span.StartsWith("40"u8))
                    {
                        break;
                    }
                    if (span.StartsWith("44"u8) || span.StartsWith("41"u8) || span.StartsWith("1"u8))
                    {
                        throw new IOException("handshake refused: " + Encoding.UTF8.GetString(span));
                    }
                    if (span.SequenceEqual("2"u8))
                    {
                        await connection.SendAsync(EngineIOPong, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            return connection;
        }
        catch
        {
            socket.Abort();
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Starts the receive loop; from now on only it reads.</summary>
    public void Start(DeliveryRecorder recorder)
    {
        _recorder = recorder;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Subscribes to channels (global channel indexes) and waits for every acknowledgement.</summary>
    public async Task SubscribeAsync(int[] channels, Func<int, string> channelName, CancellationToken cancellationToken)
    {
        var acks = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _received = new SequenceTracker[channels.Length];
        Array.Fill(_received, new SequenceTracker());
        _channels = channels;
        Volatile.Write(ref _pendingAcks, channels.Length);
        Volatile.Write(ref _acks, acks);
        for (var i = 0; i < channels.Length; i++)
        {
            var name = channelName(channels[i]);
            var frame = _protocol == WireProtocol.Native
                ? $"{{\"type\":\"subscribe\",\"id\":\"{i + 1}\",\"channel\":\"{name}\"}}"
                : $"42{i + 1}[\"subscribe\",{{\"channel\":\"{name}\"}}]";
            await SendAsync(Encoding.UTF8.GetBytes(frame), cancellationToken).ConfigureAwait(false);
        }
        await acks.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Ends the connection without waiting for the server (the benchmark is over).</summary>
    public void Abort()
    {
        _closing = true;
        _socket.Abort();
        _socket.Dispose();
    }

    /// <summary>Closes with a close handshake (bounded), as a well-behaved client leaves.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        _closing = true;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _sendLock.WaitAsync(cts.Token).ConfigureAwait(false);
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
        _socket.Abort();
        _socket.Dispose();
    }

    private async Task SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async ValueTask<ReadOnlyMemory<byte>> ReceiveOneAsync(CancellationToken cancellationToken)
    {
        var count = 0;
        while (true)
        {
            if (count == _buffer.Length)
            {
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            var result = await _socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new IOException($"closed by the server: {(int?)_socket.CloseStatus} {_socket.CloseStatusDescription}");
            }
            count += result.Count;
            if (result.EndOfMessage)
            {
                return _buffer.AsMemory(0, count);
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var recorder = _recorder!;
        try
        {
            while (true)
            {
                var frame = await ReceiveOneAsync(CancellationToken.None).ConfigureAwait(false);
                if (!Handle(frame.Span, recorder))
                {
                    continue;
                }
                // A ping to answer: outside Handle, which cannot await.
                await SendAsync(_protocol == WireProtocol.Native ? NativePong : EngineIOPong, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            if (!_closing)
            {
                EndReason ??= ex.Message;
                recorder.ConnectionLost(this, EndReason);
            }
            FailAcks(ex.Message);
        }
    }

    /// <summary>Handles one frame; true when it was a ping that needs an answer.</summary>
    private bool Handle(ReadOnlySpan<byte> frame, DeliveryRecorder recorder)
    {
        var marker = frame.IndexOf(Marker);
        if (marker >= 0)
        {
            OnPublication(frame[(marker + Marker.Length)..], recorder);
            return false;
        }
        if (_protocol == WireProtocol.Native)
        {
            if (frame.StartsWith("{\"type\":\"ping\""u8))
            {
                return true;
            }
            if (frame.StartsWith("{\"type\":\"subscribed\""u8))
            {
                Ack();
            }
            else if (frame.StartsWith("{\"type\":\"error\""u8))
            {
                _ackError ??= Encoding.UTF8.GetString(frame);
                FailAcks(_ackError);
            }
            else if (frame.StartsWith("{\"type\":\"disconnect\""u8))
            {
                EndReason = Encoding.UTF8.GetString(frame);
            }
            return false;
        }
        if (frame.SequenceEqual("2"u8))
        {
            return true;
        }
        if (frame.StartsWith("43"u8))
        {
            Ack();
        }
        else if (frame.StartsWith("41"u8) || frame.StartsWith("44"u8) || frame.StartsWith("1"u8))
        {
            EndReason = Encoding.UTF8.GetString(frame);
            FailAcks(EndReason);
        }
        return false;
    }

    private void OnPublication(ReadOnlySpan<byte> numbers, DeliveryRecorder recorder)
    {
        if (!Utf8Parser.TryParse(numbers, out int channel, out var used) || numbers.Length <= used + 1)
        {
            recorder.Malformed();
            return;
        }
        numbers = numbers[(used + 1)..];
        if (!Utf8Parser.TryParse(numbers, out long seq, out used) || numbers.Length <= used + 1)
        {
            recorder.Malformed();
            return;
        }
        numbers = numbers[(used + 1)..];
        if (!Utf8Parser.TryParse(numbers, out long sent, out _))
        {
            recorder.Malformed();
            return;
        }
        var slot = Array.IndexOf(_channels, channel);
        if (slot < 0)
        {
            recorder.Unexpected();
            return;
        }
        recorder.Delivered(sent, _received[slot].Add(seq));
    }

    private void Ack()
    {
        if (Interlocked.Decrement(ref _pendingAcks) == 0)
        {
            Volatile.Read(ref _acks)?.TrySetResult();
        }
    }

    private void FailAcks(string reason) => Volatile.Read(ref _acks)?.TrySetException(new IOException("subscribe failed: " + reason));
}
