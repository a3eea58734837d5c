using System.Diagnostics;

namespace Herald.Core;

/// <summary>
/// Herald's traces: the <see cref="ActivitySource"/> named <see cref="SourceName"/>, with a span
/// per publish (<c>herald.publish</c>) and per request on a connection (<c>herald.request</c>,
/// tagged with its type). Nothing is recorded unless a listener, such as OpenTelemetry's tracer
/// with <c>AddSource("Herald")</c>, is attached: without one, starting a span costs a null check.
/// </summary>
public static class HeraldTracing
{
    public const string SourceName = "Herald";

    internal static readonly ActivitySource Source = new(SourceName, typeof(HeraldTracing).Assembly.GetName().Version?.ToString());
}
