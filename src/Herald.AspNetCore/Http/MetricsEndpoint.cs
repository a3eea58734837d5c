using System.Diagnostics.Metrics;
using Herald.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics;
using OpenTelemetry.Metrics;

namespace Herald.AspNetCore.Http;

/// <summary>
/// <c>GET /metrics</c>: Prometheus text written by the OpenTelemetry Prometheus exporter from the
/// instruments of <see cref="HeraldMetrics"/>, the same ones OpenTelemetry exports and
/// <c>/api/stats</c> reads. No authentication, like <c>/health</c>: keep it off public networks.
/// </summary>
/// <remarks>
/// The meter is enabled through <see cref="IMetricsBuilder"/> rather than
/// <c>MeterProviderBuilder.AddMeter</c>: its rules match only meters made by this container's
/// <see cref="IMeterFactory"/>, so two Herald hosts in one process (tests, an app with two
/// hosts) each report their own node. An application that configures OpenTelemetry itself
/// shares the one <see cref="MeterProvider"/> of its container: its exporters get Herald's
/// instruments too, and its own meters appear on <c>/metrics</c>.
/// </remarks>
internal static class MetricsEndpoint
{
    public const string Path = "/metrics";

    // Prometheus exporter options of Herald's reader, apart from the application's default ones.
    private const string ExporterName = "Herald";

    public static void AddServices(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new HeraldMetrics(sp.GetService<IMeterFactory>()));
        if (services.Any(d => d.ServiceType == typeof(Registered)))
        {
            return;
        }
        services.AddSingleton<Registered>();
        services.AddMetrics(metrics => metrics.EnableMetrics(HeraldMetrics.MeterName));
        // No response cache: a scrape shows the counters as they are (scrapes are seconds apart anyway).
        services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddPrometheusExporter(ExporterName, o => o.ScrapeResponseCacheDurationMilliseconds = 0));
    }

    public static IEndpointConventionBuilder Map(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(Path)
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get]))
            .WithTags("Server")
            .WithSummary("Prometheus text format (docs/metrics.md).");

    /// <summary>Marks the container where the exporter is already registered (AddHerald called twice).</summary>
    private sealed class Registered;
}
