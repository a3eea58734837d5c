using Herald.Client;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="HeraldApi"/> as a typed HttpClient.</summary>
public static class HeraldClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HeraldApi"/> as a typed HttpClient configured by <paramref name="configure"/>,
    /// with retries (exponential, jittered, three attempts) on transient failures for idempotent
    /// requests only: GETs, and publishes, which always carry an idempotency key.
    /// </summary>
    public static IHttpClientBuilder AddHeraldClient(this IServiceCollection services, Action<HeraldApiOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<HeraldApiOptions>().Configure(configure);
        var builder = services.AddHttpClient(nameof(HeraldApi));
        builder.AddTypedClient((http, provider) => new HeraldApi(http, provider.GetRequiredService<IOptions<HeraldApiOptions>>().Value));
        builder.AddResilienceHandler("herald", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
            ShouldHandle = args => ValueTask.FromResult(
                args.Context.GetRequestMessage() is { } request && HeraldApi.IsIdempotent(request) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
        }));
        return builder;
    }
}
