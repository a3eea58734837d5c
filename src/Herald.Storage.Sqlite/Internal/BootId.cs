namespace Herald.Storage.Sqlite.Internal;

/// <summary>
/// The running kernel's boot id: a random id that Linux makes anew at every boot. Null where
/// there is none to read (another operating system, a restricted container), and then an unclean
/// shutdown is always treated as one that may have lost commits.
/// </summary>
internal static class BootId
{
    private const string Path = "/proc/sys/kernel/random/boot_id";

    public static string? Current { get; } = Read();

    private static string? Read()
    {
        try
        {
            var id = File.ReadAllText(Path).Trim();
            return id.Length is > 0 and <= 64 ? id : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }
}
