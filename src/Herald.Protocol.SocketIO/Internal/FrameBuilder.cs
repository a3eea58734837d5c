using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Herald.Protocol.SocketIO.Internal;

/// <summary>
/// Builds one frame of raw bytes and JSON in a per-thread buffer, then copies it out right-sized.
/// Not reentrant: finish one frame (<see cref="ToArray"/>) before starting another on the same
/// thread — in particular, never let the node encode a publication (which calls the encoder) while building.
/// </summary>
internal readonly ref struct FrameBuilder
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly ArrayBufferWriter<byte> _buffer;
    private readonly Utf8JsonWriter _writer;

    public FrameBuilder()
    {
        _buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
        _buffer.ResetWrittenCount();
        _writer = t_writer ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
        _writer.Reset(_buffer);
    }

    /// <summary>Appends bytes verbatim (the JSON writer must be flushed first, see <see cref="Json"/>).</summary>
    public void Raw(ReadOnlySpan<byte> bytes)
    {
        _writer.Flush();
        _buffer.Write(bytes);
    }

    /// <summary>Appends a string as UTF-8 (not JSON-escaped).</summary>
    public void Utf8(string text)
    {
        _writer.Flush();
        var span = _buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        _buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    /// <summary>Appends an integer in decimal.</summary>
    public void Number(int value)
    {
        _writer.Flush();
        var span = _buffer.GetSpan(11);
        value.TryFormat(span, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        _buffer.Advance(written);
    }

    /// <summary>
    /// The JSON writer, positioned at the end of the frame. After raw writes it starts a fresh
    /// JSON context, so write one JSON value (or the tail of one) with it before the next raw write.
    /// </summary>
    public Utf8JsonWriter Json()
    {
        _writer.Flush();
        _writer.Reset(_buffer);
        return _writer;
    }

    public byte[] ToArray()
    {
        _writer.Flush();
        var result = _buffer.WrittenSpan.ToArray();
        if (_buffer.Capacity > 64 * 1024)
        {
            // Do not let one huge frame pin a large buffer on a thread forever.
            t_buffer = null;
            t_writer = null;
        }
        return result;
    }
}
