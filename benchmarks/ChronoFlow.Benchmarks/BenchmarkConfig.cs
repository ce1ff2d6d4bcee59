using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Perfolizer.Horology;

namespace ChronoFlow.Benchmarks;

/// <summary>The configuration of a run: the full job unless the command line names one.</summary>
internal static class BenchmarkConfig
{
    /// <summary>
    /// The job of a full run, sized so that the whole suite (65 benchmarks) finishes in about eight minutes on a
    /// 2-core machine. It fixes the counts instead of letting BenchmarkDotNet run until the error is small, so a noisy
    /// machine shows up as a wide Error column rather than as a longer run: 30 measured iterations of about 120 ms each,
    /// after 6 warm-up iterations, in one process per benchmark. The Error column stays the honest 99.9% confidence
    /// half-interval of those 30 measurements.
    /// </summary>
    public static Job Full { get; } = Job.Default
        .WithId("Full")
        .WithLaunchCount(1)
        .WithWarmupCount(6)
        .WithIterationCount(30)
        .WithIterationTime(TimeInterval.FromMilliseconds(120));

    /// <summary>
    /// Builds the configuration. When <paramref name="args"/> names a job (<c>--job short</c>, <c>--job dry</c>, ...),
    /// that job alone runs; otherwise <see cref="Full"/> does.
    /// </summary>
    public static IConfig Create(string[] args)
    {
        // One summary (and one table) per class: each class has its own columns (the zone, the categories).
        var config = ManualConfig.Create(DefaultConfig.Instance);
        var namesJob = args.Any(a => a is "--job" or "-j" || a.StartsWith("--job=", StringComparison.Ordinal));
        return namesJob ? config : config.AddJob(Full.AsDefault());
    }
}
