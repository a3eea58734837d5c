using System.Buffers;
using System.Text.Json;

namespace Herald.Messages;

/// <summary>Writes JSON straight to UTF-8 bytes: the one helper for answers and event payloads built by hand.</summary>
public static class JsonBytes
{
    /// <summary>Runs <paramref name="write"/> on a fresh writer and returns the bytes written.</summary>
    public static byte[] Write(Action<Utf8JsonWriter> write, int initialCapacity = 256)
    {
        var buffer = new ArrayBufferWriter<byte>(initialCapacity);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }
}
