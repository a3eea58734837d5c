using Herald.Messages;

namespace Herald.Core;

/// <summary>
/// Thrown by a store that cannot take a write now (a full disk, a file that became read-only, a
/// database that cannot be reached): nothing of the call was stored. The request pipeline answers
/// it with <see cref="HeraldErrorCode.StorageUnavailable"/> on every transport and with 503 over
/// HTTP, and readiness reports the store as unavailable until it takes writes again.
/// </summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException)
{
    /// <summary>The error a client is answered with.</summary>
    public HeraldError Error => new(HeraldErrorCode.StorageUnavailable, Message);
}
