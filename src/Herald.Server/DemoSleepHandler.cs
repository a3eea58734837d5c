using System.Text.Json;
using Herald.Core.Operations;

namespace Herald.Server;

/// <summary>
/// The standalone server's demonstration handler for <c>demo.sleep</c>: sleeps for
/// <c>parameters.seconds</c> (default 5, at most 3600) in <c>parameters.steps</c> steps (default 5),
/// reporting progress after each, honours cancel, and fails on purpose when <c>parameters.fail</c> is true.
/// </summary>
internal sealed class DemoSleepHandler(TimeProvider time) : IOperationHandler
{
    public string Type => "demo.sleep";

    public async Task ExecuteAsync(OperationContext context, CancellationToken cancellationToken)
    {
        var seconds = Read(context.Parameters, "seconds", 5.0, 0, 3600);
        var steps = (int)Read(context.Parameters, "steps", 5, 1, 100);
        var fail = context.Parameters.ValueKind == JsonValueKind.Object && context.Parameters.TryGetProperty("fail", out var f) && f.ValueKind == JsonValueKind.True;
        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds / steps), time, cancellationToken).ConfigureAwait(false);
            if (fail && step * 2 > steps)
            {
                throw new InvalidOperationException($"demo.sleep failed at step {step} of {steps}, as asked");
            }
            await context.ReportProgressAsync(step * 100 / steps, $"step {step} of {steps}").ConfigureAwait(false);
        }
        context.SetResult(new { slept = seconds, steps });
    }

    private static double Read(JsonElement parameters, string name, double fallback, double min, double max) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? Math.Clamp(value.GetDouble(), min, max)
            : fallback;
}
