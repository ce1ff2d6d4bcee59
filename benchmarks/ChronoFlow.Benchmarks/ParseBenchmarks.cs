using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using NCrontab;

namespace ChronoFlow.Benchmarks;

/// <summary>
/// Parsing: a five-field expression, a six-field one with seconds, a <c>TryParse</c> that fails, and a text in
/// Quartz.NET's dialect (ChronoFlow with <c>CronFormat.Quartz</c> against Quartz itself, its baseline).
/// </summary>
/// <remarks>
/// Quartz is given its own spelling of each expression (<see cref="Text"/>): its native six-field form, which is what
/// its parser reads directly. Quartz 4 can also read the crontab form (<c>Quartz.CronFormat.Unix</c>), but that
/// rewrites the text into the native form first, so benchmarking the native form is the kinder comparison.
/// The failing case uses each library's non-throwing entry point: ChronoFlow and Cronos <c>TryParse</c>,
/// NCrontab <c>CrontabSchedule.TryParse</c> (null on failure) and Quartz <c>CronExpression.TryParse</c>.
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class ParseBenchmarks
{
    /// <summary>
    /// Checks that every library reads each expression, that they agree on its next occurrence (so they read the
    /// same schedule), and that every library rejects the invalid one.
    /// </summary>
    [GlobalSetup]
    public void Setup()
    {
        var fiveFields = CronosExpression.Parse(Text.ParseFiveFields).GetNextOccurrence(Inputs.FromUtc);
        Agreement.Reference(Case.ParseFiveFields, "Cronos", fiveFields);
        Agreement.Require(Case.ParseFiveFields, "ChronoFlow", fiveFields, ChronoFlowExpression.Parse(Text.ParseFiveFields).GetNextOccurrence(Inputs.FromUtc));

        Agreement.Require(Case.ParseFiveFields, "NCrontab", fiveFields, CrontabSchedule.Parse(Text.ParseFiveFields).GetNextOccurrence(Inputs.FromUtc));
        Agreement.Require(Case.ParseFiveFields, "Quartz", fiveFields, QuartzParsedInUtc(Text.ParseFiveFieldsQuartz).GetNextValidTimeAfter(Inputs.From));

        var sixFields = CronosExpression.Parse(Text.ParseSixFields, CronosFormat.IncludeSeconds).GetNextOccurrence(Inputs.FromUtc);
        Agreement.Reference(Case.ParseSixFields, "Cronos", sixFields);
        Agreement.Require(Case.ParseSixFields, "ChronoFlow", sixFields, ChronoFlowExpression.Parse(Text.ParseSixFields, ChronoFlowFormat.IncludeSeconds).GetNextOccurrence(Inputs.FromUtc));

        Agreement.Require(Case.ParseSixFields, "NCrontab", sixFields, CrontabSchedule.Parse(Text.ParseSixFields, Inputs.NCrontabWithSeconds).GetNextOccurrence(Inputs.FromUtc));
        Agreement.Require(Case.ParseSixFields, "Quartz", sixFields, QuartzParsedInUtc(Text.ParseSixFieldsQuartz).GetNextValidTimeAfter(Inputs.From));

        var cronosAccepts = CronosExpression.TryParse(Text.Invalid, out _);
        Agreement.Require(Case.TryParseInvalid, "Cronos", false, cronosAccepts);
        Agreement.Require(Case.TryParseInvalid, "ChronoFlow", false, ChronoFlowExpression.TryParse(Text.Invalid, ChronoFlowFormat.Standard, out _));

        Agreement.Require(Case.TryParseInvalid, "NCrontab", false, CrontabSchedule.TryParse(Text.Invalid) is not null);
#pragma warning disable QZ0001 // Quartz's analyzer rejects the constant at compile time; the invalid text is the point of this case.
        Agreement.Require(Case.TryParseInvalid, "Quartz", false, QuartzExpression.TryParse(Text.InvalidQuartz, out _));
#pragma warning restore QZ0001

        var quartzDialect = QuartzParsedInUtc(Text.ParseQuartz).GetNextValidTimeAfter(Inputs.From);
        Agreement.Reference(Case.ParseQuartz, "Quartz", quartzDialect);
        Agreement.Require(Case.ParseQuartz, "ChronoFlow", quartzDialect, ChronoFlowExpression.Parse(Text.ParseQuartz, ChronoFlowFormat.Quartz).GetNextOccurrence(Inputs.From, TimeZoneInfo.Utc));
    }

    // Five fields: */5 * * * *

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.ParseFiveFields)]
    public CronosExpression Cronos_ParseFiveFields() => CronosExpression.Parse(Text.ParseFiveFields);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.ParseFiveFields)]
    public ChronoFlowExpression ChronoFlow_ParseFiveFields() => ChronoFlowExpression.Parse(Text.ParseFiveFields);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.ParseFiveFields)]
    public CrontabSchedule NCrontab_ParseFiveFields() => CrontabSchedule.Parse(Text.ParseFiveFields);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.ParseFiveFields)]
    public QuartzExpression Quartz_ParseFiveFields() => QuartzExpression.Parse(Text.ParseFiveFieldsQuartz);

    // Six fields: 0 0 12 * * MON-FRI (Quartz: 0 0 12 ? * MON-FRI)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.ParseSixFields)]
    public CronosExpression Cronos_ParseSixFields() => CronosExpression.Parse(Text.ParseSixFields, CronosFormat.IncludeSeconds);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.ParseSixFields)]
    public ChronoFlowExpression ChronoFlow_ParseSixFields() => ChronoFlowExpression.Parse(Text.ParseSixFields, ChronoFlowFormat.IncludeSeconds);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.ParseSixFields)]
    public CrontabSchedule NCrontab_ParseSixFields() => CrontabSchedule.Parse(Text.ParseSixFields, Inputs.NCrontabWithSeconds);

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.ParseSixFields)]
    public QuartzExpression Quartz_ParseSixFields() => QuartzExpression.Parse(Text.ParseSixFieldsQuartz);

    // A failing TryParse: 61 * * * * (minute out of range; Quartz: 0 61 * * * ?)

    [Benchmark(Baseline = true, Description = "Cronos")]
    [BenchmarkCategory(Case.TryParseInvalid)]
    public bool Cronos_TryParseInvalid() => CronosExpression.TryParse(Text.Invalid, out _);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.TryParseInvalid)]
    public bool ChronoFlow_TryParseInvalid() => ChronoFlowExpression.TryParse(Text.Invalid, ChronoFlowFormat.Standard, out _);

    [Benchmark(Description = "NCrontab")]
    [BenchmarkCategory(Case.TryParseInvalid)]
    public bool NCrontab_TryParseInvalid() => CrontabSchedule.TryParse(Text.Invalid) is not null;

    [Benchmark(Description = "Quartz")]
    [BenchmarkCategory(Case.TryParseInvalid)]
#pragma warning disable QZ0001 // Quartz's analyzer rejects the constant at compile time; the invalid text is the point of this case.
    public bool Quartz_TryParseInvalid() => QuartzExpression.TryParse(Text.InvalidQuartz, out _);
#pragma warning restore QZ0001

    // Quartz.NET's dialect: 0 0/5 14,18 ? * MON-FRI (Cronos and NCrontab do not read it)

    [Benchmark(Baseline = true, Description = "Quartz")]
    [BenchmarkCategory(Case.ParseQuartz)]
    public QuartzExpression Quartz_ParseQuartz() => QuartzExpression.Parse(Text.ParseQuartz);

    [Benchmark(Description = "ChronoFlow")]
    [BenchmarkCategory(Case.ParseQuartz)]
    public ChronoFlowExpression ChronoFlow_ParseQuartz() => ChronoFlowExpression.Parse(Text.ParseQuartz, ChronoFlowFormat.Quartz);

    // The benchmarked entry point, then UTC, so that the check does not depend on the machine's local zone.
    private static QuartzExpression QuartzParsedInUtc(string text) => QuartzExpression.Parse(text).WithTimeZone(TimeZoneInfo.Utc);
}
