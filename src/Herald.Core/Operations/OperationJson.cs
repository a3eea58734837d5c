using System.Text.Json;
using Herald.Messages;

namespace Herald.Core.Operations;

/// <summary>The JSON form of an operation: the same in events, in HTTP answers and in latest state.</summary>
internal static class OperationJson
{
    public static byte[] Serialize(Operation operation) => JsonBytes.Write(w => Write(w, operation), 512);

    public static void Write(Utf8JsonWriter w, Operation operation)
    {
        w.WriteStartObject();
        w.WriteString("id"u8, operation.Id);
        w.WriteString("channel"u8, operation.Channel);
        w.WriteString("org"u8, operation.OrgId);
        w.WriteString("type"u8, operation.Type);
        w.WriteString("resource"u8, operation.Resource);
        w.WriteString("status"u8, operation.Status.ToWire());
        w.WriteNumber("progress"u8, operation.Progress);
        Optional(w, "message"u8, operation.Message);
        Optional(w, "error"u8, operation.Error);
        Raw(w, "parameters"u8, operation.Parameters);
        Raw(w, "result"u8, operation.Result);
        w.WriteString("createdBy"u8, operation.CreatedBy);
        w.WriteString("createdAt"u8, operation.CreatedAt);
        w.WriteString("updatedAt"u8, operation.UpdatedAt);
        if (operation.CompletedAt is { } completed)
        {
            w.WriteString("completedAt"u8, completed);
        }
        else
        {
            w.WriteNull("completedAt"u8);
        }
        w.WriteNumber("attempt"u8, operation.Attempt);
        Optional(w, "retryOf"u8, operation.RetryOf);
        Optional(w, "idempotencyKey"u8, operation.IdempotencyKey);
        w.WriteBoolean("cancelRequested"u8, operation.CancelRequested);
        w.WriteEndObject();
    }

    private static void Optional(Utf8JsonWriter w, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void Raw(Utf8JsonWriter w, ReadOnlySpan<byte> name, ReadOnlyMemory<byte> json)
    {
        w.WritePropertyName(name);
        if (json.IsEmpty)
        {
            w.WriteNullValue();
        }
        else
        {
            w.WriteRawValue(json.Span, skipInputValidation: true);
        }
    }
}
