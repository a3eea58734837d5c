using System.Text;

namespace Herald.Protocol.SocketIO.Tests;

/// <summary>Byte fixture helpers: fixtures are written as text, with \u001e for the record separator (never \x1e: C# would read up to four hex digits).</summary>
internal static class Bytes
{
    public static byte[] Of(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(ReadOnlyMemory<byte> bytes) => Encoding.UTF8.GetString(bytes.Span);

    public static string Text(EngineIOFrame frame)
    {
        frame.IsBinary.ShouldBeFalse();
        return Text(frame.Bytes);
    }
}
