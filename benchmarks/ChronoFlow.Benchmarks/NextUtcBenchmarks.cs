using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NCrontab;

namespace ChronoFlow.Benchmarks;

/// <summary>
/// The next occurrence in UTC after a fixed instant (<see cref="Inputs.FromUtc"/>). Every expression is parsed once
/// in <see cref="Setup"/>; a benchmark calls only the next-occurrence method.
/// </summary>
/// <remarks>
/// <para>
/// ChronoFlow and Cronos: <c>GetNextOccurrence(DateTime utc)</c>. NCrontab: <c>GetNextOccurrence(DateTime)</c>, which
/// reads its argument as a plain wall-clock time, here the UTC one. Quartz 4: <c>GetNextValidTimeAfter(DateTimeOffset)</c>
/// on an expression bound to <see cref="TimeZoneInfo.Utc"/> (its default zone is the machine's local one).
/// </para>
/// <para>
/// NCrontab has no <c>L</c>, <c>W</c> or <c>#</c>, so it has no method for the last-day-of-month, third-Friday and
/// nearest-weekday cases; it reads six fields with <c>IncludingSeconds</c>, so it takes part in "every 10 seconds".
/// Quartz 4 supports every case here.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class NextUtcBenchmarks
{
    private DateTime _fromUtc;
    private DateTimeOffset _from;

    private ChronoFlowExpression _chronoFlowEveryMinute;
    private CronosExpression _cronosEveryMinute = null!;
    private CrontabSchedule _nCrontabEveryMinute = null!;
    private QuartzExpression _quartzEveryMinute = null!;

    private ChronoFlowExpression _chronoFlowYearly;
    private CronosExpression _cronosYearly = null!;
    private CrontabSchedule _nCrontabYearly = null!;
    private QuartzExpression _quartzYearly = null!;

    private ChronoFlowExpression _chronoFlowWeekdaysAtNoon;
    private CronosExpression _cronosWeekdaysAtNoon = null!;
    private CrontabSchedule _nCrontabWeekdaysAtNoon = null!;
    private QuartzExpression _quartzWeekdaysAtNoon = null!;

    private ChronoFlowExpression _chronoFlowLastDayOfMonth;
    private CronosExpression _cronosLastDayOfMonth = null!;
    private QuartzExpression _quartzLastDayOfMonth = null!;

    private ChronoFlowExpression _chronoFlowFebruary29;
    private CronosExpression _cronosFebruary29 = null!;
    private CrontabSchedule _nCrontabFebruary29 = null!;
    private QuartzExpression _quartzFebruary29 = null!;

    private ChronoFlowExpression _chronoFlowThirdFriday;
    private CronosExpression _cronosThirdFriday = null!;
    private QuartzExpression _quartzThirdFriday = null!;

    private ChronoFlowExpression _chronoFlowNearestWeekdayTo15;
    private CronosExpression _cronosNearestWeekdayTo15 = null!;
    private QuartzExpression _quartzNearestWeekdayTo15 = null!;

    private ChronoFlowExpression _chronoFlowEvery10Seconds;
    private CronosExpression _cronosEvery10Seconds = null!;
    private CrontabSchedule _nCrontabEvery10Seconds = null!;
    private QuartzExpression _quartzEvery10Seconds = null!;

    /// <summary>Parses every expression once and checks that all libraries agree on the next occurrence.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _fromUtc = Inputs.FromUtc;
        _from = Inputs.From;

        _cronosEveryMinute = CronosExpression.Parse(Text.EveryMinute);
        _nCrontabEveryMinute = CrontabSchedule.Parse(Text.EveryMinute);
        _quartzEveryMinute = QuartzInUtc(Text.EveryMinuteQuartz);
        _chronoFlowEveryMinute = ChronoFlowExpression.Parse(Text.EveryMinute, ChronoFlowFormat.Standard);
        Verify(Case.EveryMinute, _cronosEveryMinute, _chronoFlowEveryMinute, _quartzEveryMinute, _nCrontabEveryMinute);

        _cronosYearly = CronosExpression.Parse(Text.Yearly);
        _nCrontabYearly = CrontabSchedule.Parse(Text.Yearly);
        _quartzYearly = QuartzInUtc(Text.YearlyQuartz);
        _chronoFlowYearly = ChronoFlowExpression.Parse(Text.Yearly, ChronoFlowFormat.Standard);
        Verify(Case.Yearly, _cronosYearly, _chronoFlowYearly, _quartzYearly, _nCrontabYearly);

        _cronosWeekdaysAtNoon = CronosExpression.Parse(Text.WeekdaysAtNoon);
        _nCrontabWeekdaysAtNoon = CrontabSchedule.Parse(Text.WeekdaysAtNoon);
        _quartzWeekdaysAtNoon = QuartzInUtc(Text.WeekdaysAtNoonQuartz);
        _chronoFlowWeekdaysAtNoon = ChronoFlowExpression.Parse(Text.WeekdaysAtNoon, ChronoFlowFormat.Standard);
        Verify(Case.WeekdaysAtNoon, _cronosWeekdaysAtNoon, _chronoFlowWeekdaysAtNoon, _quartzWeekdaysAtNoon, _nCrontabWeekdaysAtNoon);

        _cronosLastDayOfMonth = CronosExpression.Parse(Text.LastDayOfMonth);
        _quartzLastDayOfMonth = QuartzInUtc(Text.LastDayOfMonthQuartz);
        _chronoFlowLastDayOfMonth = ChronoFlowExpression.Parse(Text.LastDayOfMonth, ChronoFlowFormat.Standard);
        Verify(Case.LastDayOfMonth, _cronosLastDayOfMonth, _chronoFlowLastDayOfMonth, _quartzLastDayOfMonth, nCrontab: null);

        _cronosFebruary29 = CronosExpression.Parse(Text.February29);
        _nCrontabFebruary29 = CrontabSchedule.Parse(Text.February29);
        _quartzFebruary29 = QuartzInUtc(Text.February29Quartz);
        _chronoFlowFebruary29 = ChronoFlowExpression.Parse(Text.February29, ChronoFlowFormat.Standard);
        Verify(Case.February29, _cronosFebruary29, _chronoFlowFebruary29, _quartzFebruary29, _nCrontabFebruary29);

        _cronosThirdFriday = CronosExpression.Parse(Text.ThirdFriday);
        _quartzThirdFriday = QuartzInUtc(Text.ThirdFridayQuartz);
        _chronoFlowThirdFriday = ChronoFlowExpression.Parse(Text.ThirdFriday, ChronoFlowFormat.Standard);
        Verify(Case.ThirdFriday, _cronosThirdFriday, _chronoFlowThirdFriday, _quartzThirdFriday, nCrontab: null);

        _cronosNearestWeekdayTo15 = CronosExpression.Parse(Text.NearestWeekdayTo15);
        _quartzNearestWeekdayTo15 = QuartzInUtc(Text.NearestWeekdayTo15Quartz);
        _chronoFlowNearestWeekdayTo15 = ChronoFlowExpression.Parse(Text.NearestWeekdayTo15, ChronoFlowFormat.Standard);
        Verify(Case.NearestWeekdayTo15, _cronosNearestWeekdayTo15, _chronoFlowNearestWeekdayTo15, _quartzNearestWeekdayTo15, nCrontab: null);

        _cronosEvery10Seconds = CronosExpression.Parse(Text.Every10Seconds, CronosFormat.IncludeSeconds);
        _nCrontabEvery10Seconds = CrontabSchedule.Parse(Text.Every10Seconds, Inputs.NCrontabWithSeconds);
        _quartzEvery10Seconds = QuartzInUtc(Text.Every10SecondsQuartz);
        _chronoFlowEvery10Seconds = ChronoFlowExpression.Parse(Text.Every10Seconds, ChronoFlowFormat.IncludeSeconds);
        Verify(Case.Every10Seconds, _cronosEvery10Seconds, _chronoFlowEvery10Seconds, _quartzEvery10Seconds, _nCrontabEvery10Seconds);
    }

    // Every minute: * * * * *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTime? Cronos_EveryMinute() => _cronosEveryMinute.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTime? ChronoFlow_EveryMinute() => _chronoFlowEveryMinute.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTime NCrontab_EveryMinute() => _nCrontabEveryMinute.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTimeOffset? Quartz_EveryMinute() => _quartzEveryMinute.GetNextValidTimeAfter(_from);

    // Yearly: 0 0 1 1 *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTime? Cronos_Yearly() => _cronosYearly.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTime? ChronoFlow_Yearly() => _chronoFlowYearly.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTime NCrontab_Yearly() => _nCrontabYearly.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTimeOffset? Quartz_Yearly() => _quartzYearly.GetNextValidTimeAfter(_from);

    // Weekdays at noon: 0 12 * * MON-FRI

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTime? Cronos_WeekdaysAtNoon() => _cronosWeekdaysAtNoon.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTime? ChronoFlow_WeekdaysAtNoon() => _chronoFlowWeekdaysAtNoon.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTime NCrontab_WeekdaysAtNoon() => _nCrontabWeekdaysAtNoon.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTimeOffset? Quartz_WeekdaysAtNoon() => _quartzWeekdaysAtNoon.GetNextValidTimeAfter(_from);

    // Last day of the month: 0 0 L * * (no NCrontab: it has no L)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.LastDayOfMonth)]
    public DateTime? Cronos_LastDayOfMonth() => _cronosLastDayOfMonth.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.LastDayOfMonth)]
    public DateTime? ChronoFlow_LastDayOfMonth() => _chronoFlowLastDayOfMonth.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.LastDayOfMonth)]
    public DateTimeOffset? Quartz_LastDayOfMonth() => _quartzLastDayOfMonth.GetNextValidTimeAfter(_from);

    // 29 February: 0 0 29 2 *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.February29)]
    public DateTime? Cronos_February29() => _cronosFebruary29.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.February29)]
    public DateTime? ChronoFlow_February29() => _chronoFlowFebruary29.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.February29)]
    public DateTime NCrontab_February29() => _nCrontabFebruary29.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.February29)]
    public DateTimeOffset? Quartz_February29() => _quartzFebruary29.GetNextValidTimeAfter(_from);

    // Third Friday: 0 0 * * 5#3 (no NCrontab: it has no #)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.ThirdFriday)]
    public DateTime? Cronos_ThirdFriday() => _cronosThirdFriday.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.ThirdFriday)]
    public DateTime? ChronoFlow_ThirdFriday() => _chronoFlowThirdFriday.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.ThirdFriday)]
    public DateTimeOffset? Quartz_ThirdFriday() => _quartzThirdFriday.GetNextValidTimeAfter(_from);

    // Nearest weekday to the 15th: 0 0 15W * * (no NCrontab: it has no W)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.NearestWeekdayTo15)]
    public DateTime? Cronos_NearestWeekdayTo15() => _cronosNearestWeekdayTo15.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.NearestWeekdayTo15)]
    public DateTime? ChronoFlow_NearestWeekdayTo15() => _chronoFlowNearestWeekdayTo15.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.NearestWeekdayTo15)]
    public DateTimeOffset? Quartz_NearestWeekdayTo15() => _quartzNearestWeekdayTo15.GetNextValidTimeAfter(_from);

    // Every 10 seconds: */10 * * * * * (six fields)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.Every10Seconds)]
    public DateTime? Cronos_Every10Seconds() => _cronosEvery10Seconds.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.Every10Seconds)]
    public DateTime? ChronoFlow_Every10Seconds() => _chronoFlowEvery10Seconds.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.Every10Seconds)]
    public DateTime NCrontab_Every10Seconds() => _nCrontabEvery10Seconds.GetNextOccurrence(_fromUtc);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.Every10Seconds)]
    public DateTimeOffset? Quartz_Every10Seconds() => _quartzEvery10Seconds.GetNextValidTimeAfter(_from);

    private static QuartzExpression QuartzInUtc(string text) => new(text, TimeZoneInfo.Utc);

    private static string InUtc(string caseName) => caseName + " in UTC";

    private void Verify(string caseName, CronosExpression cronos, ChronoFlowExpression chronoFlow, QuartzExpression quartz, CrontabSchedule? nCrontab)
    {
        caseName = InUtc(caseName);
        var expected = cronos.GetNextOccurrence(_fromUtc);
        if (expected is null)
        {
            throw new InvalidOperationException($"Case '{caseName}': Cronos finds no occurrence; the case is meant to have one.");
        }

        Agreement.Reference(caseName, "Cronos", expected);
        Agreement.Require(caseName, "ChronoFlow", expected, chronoFlow.GetNextOccurrence(_fromUtc));
        Agreement.Require(caseName, "Quartz", expected, quartz.GetNextValidTimeAfter(_from));
        if (nCrontab is not null)
        {
            Agreement.Require(caseName, "NCrontab", expected, nCrontab.GetNextOccurrence(_fromUtc));
        }
    }
}
