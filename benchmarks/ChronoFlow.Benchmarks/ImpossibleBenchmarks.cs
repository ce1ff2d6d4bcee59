using BenchmarkDotNet.Attributes;
using NCrontab;

namespace ChronoFlow.Benchmarks;

/// <summary>
/// An expression that can never fire, <c>0 0 30 2 *</c> (30 February): how long each library takes to say so.
/// </summary>
/// <remarks>
/// What each library does, as checked in <see cref="Setup"/>:
/// <list type="bullet">
/// <item>ChronoFlow: returns <see langword="null"/> (The dialect (README): a never-firing expression answers at once).</item>
/// <item>Cronos: parses it, then searches forward to the end of its supported range and returns <see langword="null"/>.</item>
/// <item>Quartz 4 (<c>0 0 0 30 2 ?</c>): parses it and returns <see langword="null"/> from <c>GetNextValidTimeAfter</c>.</item>
/// <item>
/// NCrontab: has no "none" answer; <c>GetNextOccurrence(DateTime)</c> searches up to its end bound (default
/// <see cref="DateTime.MaxValue"/>) and returns that bound. The check reads that bound as "no occurrence".
/// </item>
/// </list>
/// </remarks>
[MemoryDiagnoser]
public class ImpossibleBenchmarks
{
    private DateTime _fromUtc;
    private DateTimeOffset _from;
    private ChronoFlowExpression _chronoFlow;
    private CronosExpression _cronos = null!;
    private CrontabSchedule _nCrontab = null!;
    private QuartzExpression _quartz = null!;

    /// <summary>Parses the expression once in each library and checks that none of them finds an occurrence.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fromUtc = Inputs.FromUtc;
        _from = Inputs.From;
        _cronos = CronosExpression.Parse(Text.Impossible);
        _nCrontab = CrontabSchedule.Parse(Text.Impossible);
        _quartz = new QuartzExpression(Text.ImpossibleQuartz, TimeZoneInfo.Utc);

        DateTime? none = null;
        Agreement.Require(Case.Impossible, "Cronos", none, _cronos.GetNextOccurrence(_fromUtc));
        _chronoFlow = ChronoFlowExpression.Parse(Text.Impossible, ChronoFlowFormat.Standard);
        Agreement.Require(Case.Impossible, "ChronoFlow", none, _chronoFlow.GetNextOccurrence(_fromUtc));

        Agreement.Require(Case.Impossible, "Quartz", none, _quartz.GetNextValidTimeAfter(_from));
        var nCrontabNext = _nCrontab.GetNextOccurrence(_fromUtc);
        Agreement.Require(Case.Impossible, "NCrontab (end bound read as none)", none, nCrontabNext == DateTime.MaxValue ? null : nCrontabNext);
    }

    [Benchmark(Baseline = true, Description = "Cronos")]
    public DateTime? Cronos_Impossible() => _cronos.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    public DateTime? ChronoFlow_Impossible() => _chronoFlow.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    public DateTime NCrontab_Impossible() => _nCrontab.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    public DateTimeOffset? Quartz_Impossible() => _quartz.GetNextValidTimeAfter(_from);
}
