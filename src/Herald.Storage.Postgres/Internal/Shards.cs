using System.Text;

namespace Herald.Storage.Postgres.Internal;

/// <summary>
/// Which shard of the publication log a channel belongs to. Every node must compute the same
/// shard for a channel, so the hash is FNV-1a over the channel's UTF-8 bytes (never
/// <see cref="string.GetHashCode()"/>, which differs per process). The count is part of the
/// schema: changing it would let two publications of one channel take different locks.
/// </summary>
internal static class Shards
{
    /// <summary>Shards of the log: publishes to channels of different shards commit in parallel.</summary>
    public const int Count = 16;

    /// <summary>Advisory lock keys of the shards are this plus the shard ("herald.p" as a bigint).</summary>
    public const long LockBase = 7522810683587963000;

    public static short Of(string channel)
    {
        var hash = 2166136261u;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(channel) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(channel, buffer)] : Encoding.UTF8.GetBytes(channel);
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * 16777619u;
        }
        return (short)(hash % Count);
    }
}
