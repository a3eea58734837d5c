using System.Buffers;

namespace Herald.AspNetCore.Transports;

/// <summary>
/// Sits between a <see cref="System.Net.WebSockets.WebSocket"/> and Kestrel's connection stream so
/// that the frames queued for one connection go out in one write instead of one write (and one
/// flush, one syscall) each. While <see cref="Coalesce"/> is true, writes are gathered in a pooled
/// buffer; the first write made with it false sends the gathered bytes and itself together.
/// </summary>
/// <remarks>
/// Every write arrives from inside the WebSocket's own send lock (data frames from our writer,
/// pong and close frames from its receive path), so writes to the inner stream never overlap.
/// The writer always ends a batch with <see cref="Coalesce"/> false, so a control frame gathered
/// mid-batch goes out with the batch's last frame. Nothing is held between batches.
/// </remarks>
internal sealed class CoalescingStream(Stream inner) : Stream
{
    private const int Capacity = 16 * 1024;
    private byte[]? _buffer;
    private int _count;
    private volatile bool _coalesce;

    /// <summary>True while more frames are about to be written.</summary>
    public bool Coalesce
    {
        get => _coalesce;
        set => _coalesce = value;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (_coalesce)
        {
            if (_count > 0 && _count + data.Length > Capacity)
            {
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
            }
            if (data.Length <= Capacity)
            {
                Append(data.Span);
                return;
            }
            await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_count > 0)
        {
            if (_count + data.Length <= Capacity)
            {
                Append(data.Span);
                await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            await FlushBufferAsync(cancellationToken).ConfigureAwait(false);
        }
        await inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

    private void Append(ReadOnlySpan<byte> data)
    {
        _buffer ??= ArrayPool<byte>.Shared.Rent(Capacity);
        data.CopyTo(_buffer.AsSpan(_count));
        _count += data.Length;
    }

    private async ValueTask FlushBufferAsync(CancellationToken cancellationToken)
    {
        var buffer = _buffer!;
        var count = _count;
        _count = 0;
        _buffer = null;
        try
        {
            await inner.WriteAsync(buffer.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_buffer is { } buffer)
            {
                _buffer = null;
                ArrayPool<byte>.Shared.Return(buffer);
            }
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
