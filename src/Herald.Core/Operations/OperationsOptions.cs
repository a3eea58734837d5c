namespace Herald.Core.Operations;

/// <summary>Operation settings, bound from <c>Herald:Operations</c>.</summary>
public sealed class OperationsOptions
{
    public const int DefaultRetentionSeconds = 300;
    public const int DefaultStaleAfterSeconds = 600;
    public const double DefaultMaintenanceIntervalSeconds = 10;
    public const int DefaultMaxParametersBytes = 16 * 1024;
    public const int DefaultMaxResultBytes = 64 * 1024;

    /// <summary>How long a finished operation stays readable before it is removed.</summary>
    public int RetentionSeconds { get; set; } = DefaultRetentionSeconds;

    /// <summary>A pending or running operation with no update for this long becomes failed.</summary>
    public int StaleAfterSeconds { get; set; } = DefaultStaleAfterSeconds;

    /// <summary>How often retention and stale checks run.</summary>
    public double MaintenanceIntervalSeconds { get; set; } = DefaultMaintenanceIntervalSeconds;

    public int MaxParametersBytes { get; set; } = DefaultMaxParametersBytes;

    public int MaxResultBytes { get; set; } = DefaultMaxResultBytes;
}
