namespace Herald.Protocol.SocketIO;

/// <summary>
/// A refused input: a <see cref="SocketIOErrorCode"/> for programs and a short English message for
/// logs. The message never echoes more than a few bytes of the input.
/// </summary>
/// <param name="Code">Why the input was refused.</param>
/// <param name="Message">A human-readable explanation.</param>
public readonly record struct SocketIOError(SocketIOErrorCode Code, string Message)
{
    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Message}";
}
