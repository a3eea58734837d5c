namespace Herald.Core.Operations;

/// <summary>The life of an operation: pending → running → completed | failed | cancelled. The last three are final.</summary>
public enum OperationStatus
{
    Pending,
    Running,
    Completed,
    Failed,
    Cancelled,
}

public static class OperationStatuses
{
    public static bool IsFinal(this OperationStatus status) => status is OperationStatus.Completed or OperationStatus.Failed or OperationStatus.Cancelled;

    public static string ToWire(this OperationStatus status) => status switch
    {
        OperationStatus.Pending => "pending",
        OperationStatus.Running => "running",
        OperationStatus.Completed => "completed",
        OperationStatus.Failed => "failed",
        OperationStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    public static bool TryParse(string? value, out OperationStatus status)
    {
        switch (value)
        {
            case "pending": status = OperationStatus.Pending; return true;
            case "running": status = OperationStatus.Running; return true;
            case "completed": status = OperationStatus.Completed; return true;
            case "failed": status = OperationStatus.Failed; return true;
            case "cancelled": status = OperationStatus.Cancelled; return true;
            default: status = default; return false;
        }
    }
}
