namespace Herald.Messages.History;

/// <summary>
/// Where a channel's stream stands: the offset of its newest publication (0 before the first) and
/// its epoch. A client that remembers the position of the last publication it saw can recover
/// exactly what it missed, as long as the epoch is unchanged and history still holds it.
/// </summary>
public readonly record struct StreamPosition(long Offset, string Epoch)
{
    /// <summary>A fresh random epoch.</summary>
    public static string NewEpoch() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
}
