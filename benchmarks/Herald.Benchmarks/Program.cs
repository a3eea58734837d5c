using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

// In-process: BenchmarkDotNet's generated project would inherit this repository's build rules
// (warnings as errors, central package versions) and fail; in-process also keeps a run short on
// a 2-core machine. "--job short" (the default here) is 3 warm-ups and 8 iterations; "--job default"
// lets BenchmarkDotNet choose.
var job = args.Contains("default") ? Job.Default : Job.Default.WithWarmupCount(3).WithIterationCount(8).WithLaunchCount(1);
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId("InProcess"))
    .AddDiagnoser(MemoryDiagnoser.Default)
    .AddColumn(StatisticColumn.P95)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator);
var rest = args.Where(a => a is not ("--job" or "short" or "default")).ToArray();
BenchmarkSwitcher.FromAssembly(typeof(Herald.Benchmarks.FanOutBenchmark).Assembly).Run(rest, config);
