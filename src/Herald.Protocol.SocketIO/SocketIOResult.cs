namespace Herald.Protocol.SocketIO;

/// <summary>
/// The outcome of a decoder: either a value or a <see cref="SocketIOError"/>. Decoders of this
/// library never throw for malformed input; they return a failed result instead.
/// </summary>
/// <typeparam name="T">The decoded value's type.</typeparam>
public readonly struct SocketIOResult<T>
{
    private readonly T _value;

    private SocketIOResult(T value, SocketIOError error, bool isSuccess)
    {
        _value = value;
        Error = error;
        IsSuccess = isSuccess;
    }

    /// <summary>True when decoding succeeded and <see cref="Value"/> holds the result.</summary>
    public bool IsSuccess { get; }

    /// <summary>Why decoding failed; <c>default</c> (code <see cref="SocketIOErrorCode.None"/>) on success.</summary>
    public SocketIOError Error { get; }

    /// <summary>The decoded value.</summary>
    /// <exception cref="InvalidOperationException">The result is a failure (a programming error: check <see cref="IsSuccess"/> first).</exception>
    public T Value => IsSuccess ? _value : throw new InvalidOperationException($"The result is a failure ({Error}).");

    /// <summary>Gets the value or the error in one call.</summary>
    public bool TryGetValue(out T value, out SocketIOError error)
    {
        value = _value;
        error = Error;
        return IsSuccess;
    }

    internal static SocketIOResult<T> Success(T value) => new(value, default, true);

    internal static SocketIOResult<T> Failure(SocketIOError error) => new(default!, error, false);

    internal static SocketIOResult<T> Failure(SocketIOErrorCode code, string message) => new(default!, new SocketIOError(code, message), false);

    /// <inheritdoc />
    public override string ToString() => IsSuccess ? $"Success({_value})" : $"Failure({Error})";
}
