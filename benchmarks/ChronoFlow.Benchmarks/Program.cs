using BenchmarkDotNet.Running;
using ChronoFlow.Benchmarks;

// `--verify` sets up every benchmark class in this process (each setup checks that all libraries agree) and prints
// every answer, without timing anything: a check of the inputs that takes a second rather than a run.
if (args is ["--verify"])
{
    return Verification.Run();
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(Verification).Assembly).Run(args, BenchmarkConfig.Create(args)).ToList();

// A benchmark that failed (its setup found a disagreement, or it threw) must fail the run, not just leave a gap in a table.
var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
return failed ? 1 : 0;
