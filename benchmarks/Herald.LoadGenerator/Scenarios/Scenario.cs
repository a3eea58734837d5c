using Herald.LoadGenerator.Infrastructure;
using Herald.LoadGenerator.Targets;

namespace Herald.LoadGenerator.Scenarios;

/// <summary>A headline figure of a scenario, compared across servers as Herald / Socket.IO.</summary>
public sealed record Headline(string Name, double Value, string Unit, bool HigherIsBetter, double? Target = null)
{
    public bool? MeetsTarget => Target is not { } t ? null : HigherIsBetter ? Value >= t : Value <= t;
}

/// <summary>What every scenario returns: its headline figures and its details (serialized as they are).</summary>
public sealed record ScenarioResult(string Scenario, string Target, string ServerCommand, IReadOnlyList<Headline> Headlines, object Details);

/// <summary>One benchmark scenario: one command of the generator.</summary>
public abstract class Scenario
{
    public abstract string Name { get; }

    /// <summary>Reads the scenario's own options (so unknown options can be refused before anything starts).</summary>
    public abstract void Configure(Options options);

    /// <summary>Runs against a started server; bounded in time, stops by itself.</summary>
    public abstract Task<ScenarioResult> RunAsync(ServerUnderTest server, CancellationToken cancellationToken);

    public static Scenario Create(string name) => name switch
    {
        "fanout" => new FanOutScenario(),
        "latency" => new LatencyScenario(),
        "idle" or "idle-memory" => new IdleMemoryScenario(),
        "connect" or "connect-rate" => new ConnectRateScenario(),
        "channels" or "many-channels" => new ManyChannelsScenario(),
        _ => throw new ArgumentException($"unknown scenario '{name}'"),
    };

    public static IReadOnlyList<string> All { get; } = ["fanout", "latency", "idle", "connect", "channels"];
}
