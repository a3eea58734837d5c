using System.Text.Json;

namespace Herald.Core.Operations;

/// <summary>
/// Runs operations of one type inside the server. Register implementations as
/// <c>IOperationHandler</c> services. The server runs <see cref="ExecuteAsync"/> in the background
/// once the operation is created, never two operations of one resource at once; returning completes
/// the operation, throwing fails it with the exception's message, and when the operation is
/// cancelled the token fires and an <see cref="OperationCanceledException"/> ends it as cancelled.
/// </summary>
public interface IOperationHandler
{
    /// <summary>The operation type this handler runs, such as <c>demo.sleep</c>.</summary>
    string Type { get; }

    Task ExecuteAsync(OperationContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler gets: the operation, its parameters, and a way to report progress and a result.</summary>
public sealed class OperationContext
{
    private readonly OperationService _service;

    internal OperationContext(OperationService service, Operation operation)
    {
        _service = service;
        Operation = operation;
        Parameters = operation.Parameters.IsEmpty ? default : JsonDocument.Parse(operation.Parameters).RootElement.Clone();
    }

    /// <summary>The operation as it was when the handler started.</summary>
    public Operation Operation { get; }

    /// <summary>The parameters; <c>Undefined</c> when none were given.</summary>
    public JsonElement Parameters { get; }

    internal ReadOnlyMemory<byte> Result { get; private set; }

    /// <summary>Reports progress (0–100, never lower than before) and an optional message; published at once.</summary>
    public async Task ReportProgressAsync(int progress, string? message = null)
    {
        var error = await _service.UpdateAsync(Operation.Id, new OperationUpdate(OperationStatus.Running, progress, message, null, default), OperationActor.ForApiKey("in-process")).ConfigureAwait(false);
        if (error.Error is { } e)
        {
            throw new InvalidOperationException(e.Message);
        }
    }

    /// <summary>Sets the result published when the handler returns.</summary>
    public void SetResult<T>(T result) => Result = JsonSerializer.SerializeToUtf8Bytes(result);
}
