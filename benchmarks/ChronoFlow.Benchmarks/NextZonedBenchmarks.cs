using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace ChronoFlow.Benchmarks;

/// <summary>
/// The next occurrence on the wall clock of a time zone, after the fixed instant <see cref="Inputs.From"/>.
/// </summary>
/// <remarks>
/// <para>
/// ChronoFlow and Cronos: <c>GetNextOccurrence(DateTimeOffset, TimeZoneInfo)</c>, both answering with the zone's offset
/// at the occurrence. Quartz 4: <c>GetNextValidTimeAfter(DateTimeOffset)</c> on an expression constructed with the zone
/// (<c>new CronExpression(text, zone)</c>, which sets its <c>TimeZone</c>); it answers the same instant in UTC, so the
/// check compares instants for Quartz and instants and offsets between ChronoFlow and Cronos.
/// </para>
/// <para>NCrontab has no time zones: it has no method here.</para>
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class NextZonedBenchmarks
{
    private DateTimeOffset _from;
    private TimeZoneInfo _zone = null!;

    private ChronoFlowExpression _chronoFlowEveryMinute;
    private CronosExpression _cronosEveryMinute = null!;
    private QuartzExpression _quartzEveryMinute = null!;

    private ChronoFlowExpression _chronoFlowWeekdaysAtNoon;
    private CronosExpression _cronosWeekdaysAtNoon = null!;
    private QuartzExpression _quartzWeekdaysAtNoon = null!;

    private ChronoFlowExpression _chronoFlowYearly;
    private CronosExpression _cronosYearly = null!;
    private QuartzExpression _quartzYearly = null!;

    /// <summary>The IANA id of the zone the expressions run in.</summary>
    [Params("America/New_York", "Europe/London")]
    public string Zone { get; set; } = "America/New_York";

    /// <summary>Parses every expression once and checks that all libraries agree on the next occurrence in the zone.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _from = Inputs.From;
        _zone = Inputs.Zone(Zone);

        _cronosEveryMinute = CronosExpression.Parse(Text.EveryMinute);
        _quartzEveryMinute = new QuartzExpression(Text.EveryMinuteQuartz, _zone);
        _chronoFlowEveryMinute = ChronoFlowExpression.Parse(Text.EveryMinute, ChronoFlowFormat.Standard);
        Verify(Case.EveryMinute, _cronosEveryMinute, _chronoFlowEveryMinute, _quartzEveryMinute);

        _cronosWeekdaysAtNoon = CronosExpression.Parse(Text.WeekdaysAtNoon);
        _quartzWeekdaysAtNoon = new QuartzExpression(Text.WeekdaysAtNoonQuartz, _zone);
        _chronoFlowWeekdaysAtNoon = ChronoFlowExpression.Parse(Text.WeekdaysAtNoon, ChronoFlowFormat.Standard);
        Verify(Case.WeekdaysAtNoon, _cronosWeekdaysAtNoon, _chronoFlowWeekdaysAtNoon, _quartzWeekdaysAtNoon);

        _cronosYearly = CronosExpression.Parse(Text.Yearly);
        _quartzYearly = new QuartzExpression(Text.YearlyQuartz, _zone);
        _chronoFlowYearly = ChronoFlowExpression.Parse(Text.Yearly, ChronoFlowFormat.Standard);
        Verify(Case.Yearly, _cronosYearly, _chronoFlowYearly, _quartzYearly);
    }

    // Every minute: * * * * *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTimeOffset? Cronos_EveryMinute() => _cronosEveryMinute.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTimeOffset? ChronoFlow_EveryMinute() => _chronoFlowEveryMinute.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.EveryMinute)]
    public DateTimeOffset? Quartz_EveryMinute() => _quartzEveryMinute.GetNextValidTimeAfter(_from);

    // Weekdays at noon: 0 12 * * MON-FRI

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTimeOffset? Cronos_WeekdaysAtNoon() => _cronosWeekdaysAtNoon.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTimeOffset? ChronoFlow_WeekdaysAtNoon() => _chronoFlowWeekdaysAtNoon.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.WeekdaysAtNoon)]
    public DateTimeOffset? Quartz_WeekdaysAtNoon() => _quartzWeekdaysAtNoon.GetNextValidTimeAfter(_from);

    // Yearly: 0 0 1 1 *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTimeOffset? Cronos_Yearly() => _cronosYearly.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTimeOffset? ChronoFlow_Yearly() => _chronoFlowYearly.GetNextOccurrence(_from, _zone);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.Yearly)]
    public DateTimeOffset? Quartz_Yearly() => _quartzYearly.GetNextValidTimeAfter(_from);

    private string InZone(string caseName) => $"{caseName} in {Zone}";

    private void Verify(string caseName, CronosExpression cronos, ChronoFlowExpression chronoFlow, QuartzExpression quartz)
    {
        var name = InZone(caseName);
        var expected = cronos.GetNextOccurrence(_from, _zone);
        if (expected is null)
        {
            throw new InvalidOperationException($"Case '{name}': Cronos finds no occurrence; the case is meant to have one.");
        }

        Agreement.Reference(name, "Cronos", expected);
        Agreement.Require(name, "ChronoFlow", expected, chronoFlow.GetNextOccurrence(_from, _zone), sameOffset: true);

        Agreement.Require(name, "Quartz", expected, quartz.GetNextValidTimeAfter(_from));
    }
}
