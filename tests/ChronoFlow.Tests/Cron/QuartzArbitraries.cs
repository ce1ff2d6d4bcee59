using System.Globalization;
using ChronoFlow.Tests.Cron.Reference;
using FsCheck;
using FsCheck.Fluent;

namespace ChronoFlow.Tests.Cron;

/// <summary>One generated search in Quartz.NET's dialect: an expression, a zone and an instant (searches are exclusive, as Quartz's are).</summary>
public sealed record QuartzCase(string Expression, string ZoneId, DateTimeOffset From)
{
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    public override string ToString()
        => $"Quartz expression \"{Expression}\", zone {ZoneId}, from {From.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffff}Z (local {TimeZoneInfo.ConvertTime(From, Zone):yyyy-MM-ddTHH:mm:ss.fffffffzzz})";
}

/// <summary>
/// Expressions in Quartz.NET 4's grammar (what its parser accepts), searched from instants of 1971-2094 in the zones
/// of <see cref="ZoneIds"/>, often near a transition.
/// </summary>
/// <remarks>
/// Left out on purpose, each a named difference (README, "Quartz.NET's dialect"):
/// <list type="bullet">
/// <item><b>Years after 2099.</b> Quartz reads years up to 2126; ChronoFlow's year field ends at 2099, so year items
/// stay in 1970-2099 and instants end in 2094 (Quartz also stops searching after 2126, ChronoFlow does not).</item>
/// <item><b>Step after a month-name range.</b> Quartz ignores it (<c>MAR-OCT/2</c> is March to October); ChronoFlow
/// steps as it does after numbers (<c>3-10/2</c>), so month-name ranges are generated without a step.</item>
/// <item><b>Trailing text after a special</b> that Quartz ignores (<c>6L-2</c>, <c>6L/2</c>, <c>15W/2</c>,
/// <c>LW-2</c>): ChronoFlow rejects it, so it is never generated.</item>
/// <item><b>An offset change that is not a daylight-saving change</b>, such as the end of Europe/London's British
/// Standard Time (GMT+1 all year, 1968-1971) on 1971-10-31: .NET's local-time queries, which Quartz.NET's search asks,
/// misread it, and Quartz answered an instant before the start. Instants therefore begin in 1972.</item>
/// <item>What Quartz rejects is not generated either: <c>W</c> after a range, <c>L</c> or <c>#</c> beside other
/// day-of-week items, a range from a number to a name (<c>1-THU</c>), a reversed year range, <c>?/n</c>.</item>
/// </list>
/// </remarks>
public static class QuartzArbitraries
{
    private static readonly string[] s_monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>
    /// Zones with transitions away from midnight, northern and southern, whole-hour and 45-minute (Chatham). Left
    /// out, a named difference (README: "zones where .NET's local-time queries mislead Quartz.NET"): zones with
    /// transitions at midnight (America/Asuncion, America/Santiago, America/Havana, Asia/Beirut), negative DST
    /// (Europe/Dublin, Africa/Casablanca) and the others where .NET's local-time queries disagree with the real
    /// offsets (Asia/Amman, Australia/Lord_Howe, Asia/Kathmandu). Quartz.NET's search asks those queries, and there
    /// it misses repeated wall times, answers within a skipped gap or even an instant before the start;
    /// ChronoFlow asks only for offsets of UTC instants.
    /// </summary>
    public static readonly string[] ZoneIds =
        ["UTC", "America/New_York", "Europe/London", "Pacific/Chatham", "Europe/Berlin", "Australia/Sydney", "America/Los_Angeles", "Asia/Tokyo"];

    public static Arbitrary<QuartzCase> QuartzCase() => QuartzCaseGen.ToArbitrary();

    public static Gen<QuartzCase> QuartzCaseGen =>
        from text in Expression
        from zone in Gen.Frequency((3, Gen.Constant("UTC")), (2, Gen.Elements("America/New_York", "Europe/London")), (4, Gen.Elements(ZoneIds)))
        from at in Instant(zone)
        select new QuartzCase(text, zone, at);

    public static Gen<string> Expression =>
        from s in TimeField(59, Gen.Frequency((6, Gen.Constant("0")), (1, Gen.Constant("*/20"))))
        from m in TimeField(59, Gen.Elements("0", "30", "*/15"))
        from h in TimeField(23, Gen.Elements("0", "2", "12", "*"))
        from days in Days
        from mon in MonthField
        from y in YearField
        select $"{s} {m} {h} {days.Dom} {mon} {days.Dow}{y}";

    // ---------------------------------------------------------------------------------------------------------
    // Fields
    // ---------------------------------------------------------------------------------------------------------

    private static Gen<string> Number(int min, int max) => Gen.Choose(min, max).Select(v => v.ToString(CultureInfo.InvariantCulture));

    /// <summary>Values, ranges (reversed ones wrap in Quartz too), <c>*/n</c>, <c>a/n</c>, <c>a-b/n</c>.</summary>
    private static Gen<string> PlainItem(Gen<string> value, int maxStep)
    {
        var step = Gen.Frequency((4, Number(1, Math.Min(maxStep, 12))), (1, Number(1, maxStep)));
        return Gen.Frequency(
            (6, value),
            (3, from a in value from b in value select a + "-" + b),
            (2, step.Select(n => "*/" + n)),
            (2, from a in value from n in step select a + "/" + n),
            (2, from a in value from b in value from n in step select a + "-" + b + "/" + n));
    }

    private static Gen<string> ListOf(Gen<string> item) =>
        from n in Gen.Frequency((6, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)))
        from items in Gen.ArrayOf(item, n)
        select string.Join(",", items);

    private static Gen<string> TimeField(int max, Gen<string> common) =>
        Gen.Frequency((5, common), (1, Gen.Constant("*")), (4, ListOf(PlainItem(Number(0, max), max))));

    private static Gen<string> MonthField =>
        Gen.Frequency(
            (6, Gen.Constant("*")),
            (4, ListOf(Gen.Frequency(
                (3, PlainItem(Gen.Frequency((3, Number(1, 12)), (1, Gen.Constant("2"))), 12)),
                (2, MonthNameItem)))));

    /// <summary>
    /// A month name or a range of names, never with a step: Quartz.NET ignores a step after a month-name range
    /// (<c>MAR-OCT/2</c> is every month from March to October there, but <c>3-10/2</c> is every other one), a bug
    /// ChronoFlow does not mirror (README: "step after a month-name range").
    /// </summary>
    private static Gen<string> MonthNameItem =>
        Gen.Frequency(
            (2, Gen.Elements(s_monthNames)),
            (1, from a in Gen.Elements(s_monthNames) from b in Gen.Elements(s_monthNames) select a + "-" + b));

    private static Gen<string> YearField =>
        Gen.Frequency(
            (8, Gen.Constant(string.Empty)),
            (2, Gen.Constant(" *")),
            (3, from a in Gen.Choose(2000, 2099)
                from len in Gen.Choose(0, 30)
                from step in Gen.Choose(1, 5)
                from form in Gen.Choose(0, 3)
                select " " + (form switch
                {
                    0 => a.ToString(CultureInfo.InvariantCulture),
                    1 => $"{a}-{Math.Min(2099, a + len)}",
                    2 => $"{a}/{step}",
                    _ => $"{a},{Math.Min(2099, a + len)}",
                })));

    private static Gen<string> DayValue => Gen.Frequency((3, Number(1, 31)), (2, Number(27, 31)));

    private static Gen<string> DayOfMonthSpecial =>
        Gen.Frequency(
            (2, Gen.Elements("L", "l")),
            (2, Number(0, 30).Select(n => "L-" + n)),
            (1, Number(0, 3).Select(n => "L-" + n)),
            (3, Number(1, 31).Select(n => n + "W")),
            (2, Gen.Elements("1W", "15W", "29W", "30W", "31W")),
            (2, Gen.Constant("LW")),
            (2, Number(0, 30).Select(n => "L-" + n + "W")));

    /// <summary>A restricted day-of-month: plain items, specials, and lists mixing both (which Quartz accepts).</summary>
    private static Gen<string> RestrictedDayOfMonth =>
        ListOf(Gen.Frequency((4, PlainItem(DayValue, 31)), (3, DayOfMonthSpecial)));

    private static Gen<string> WeekdayValue =>
        Gen.Frequency((3, Number(1, 7)), (2, Gen.Elements(s_dayNames)));

    /// <summary>A day-of-week item; a range is all numbers or all names, since Quartz rejects <c>1-THU</c>.</summary>
    private static Gen<string> WeekdayItem =>
        Gen.Frequency((3, PlainItem(Number(1, 7), 7)), (2, PlainItem(Gen.Elements(s_dayNames), 7)));

    /// <summary>
    /// A restricted day-of-week: a list of plain items, or one special alone (Quartz rejects <c>L</c> and <c>#</c>
    /// beside other items): <c>L</c> (Saturday), <c>nL</c>, <c>n#k</c>.
    /// </summary>
    private static Gen<string> RestrictedDayOfWeek =>
        Gen.Frequency(
            (5, ListOf(WeekdayItem)),
            (1, Gen.Constant("L")),
            (2, WeekdayValue.Select(v => v + "L")),
            (3, from v in WeekdayValue from k in Gen.Choose(1, 5) select v + "#" + k));

    private static Gen<(string Dom, string Dow)> Days =>
        Gen.Frequency(
            (4, RestrictedDayOfMonth.Select(d => (d, "?"))),
            (4, RestrictedDayOfWeek.Select(d => ("?", d))),
            (2, Gen.Elements(("*", "?"), ("?", "*"), ("*", "*"), ("?", "?"))),
            (1, RestrictedDayOfMonth.Select(d => (d, "*"))),
            (1, RestrictedDayOfWeek.Select(d => ("*", d))),
            (3, from dom in RestrictedDayOfMonth from dow in RestrictedDayOfWeek select (dom, dow)));

    // ---------------------------------------------------------------------------------------------------------
    // Instants
    // ---------------------------------------------------------------------------------------------------------

    private static readonly long s_min = new DateTime(1972, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks / TimeSpan.TicksPerSecond;
    private static readonly long s_max = new DateTime(2095, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks / TimeSpan.TicksPerSecond;

    /// <summary>An instant of 1972-2094, uniform or within hours (or seconds) of a transition of the zone.</summary>
    public static Gen<DateTimeOffset> Instant(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var uniform = from f in Gen.Choose(0, int.MaxValue)
                      select s_min + (long)((double)f / int.MaxValue * (s_max - s_min));
        var nearTransition = from year in Gen.Frequency((1, Gen.Choose(1972, 2094)), (2, Gen.Choose(2015, 2035)))
                             from pick in Gen.Choose(0, 1000)
                             from shift in Gen.Frequency((3, Gen.Choose(-3 * 3600, 3 * 3600)), (1, Gen.Choose(-2, 2)), (2, Gen.Choose(-40 * 86400, 2 * 86400)))
                             select NearTransition(zone, year, pick, shift);
        return from s in Gen.Frequency((2, uniform), (3, nearTransition))
               from fraction in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Choose(1, (int)TimeSpan.TicksPerSecond - 1)))
               let utc = new DateTime((s * TimeSpan.TicksPerSecond) + fraction, DateTimeKind.Utc)
               select new DateTimeOffset(utc).ToOffset(zone.GetUtcOffset(utc));
    }

    private static long NearTransition(TimeZoneInfo zone, int year, int pick, int shift)
    {
        var transitions = ReferenceZone.TransitionsIn(zone, year);
        var at = transitions.Length == 0
            ? new DateTime(year, 1 + (pick % 12), 1 + (pick % 28), 0, 0, 0, DateTimeKind.Utc)
            : transitions[pick % transitions.Length].Instant;
        return (at.Ticks / TimeSpan.TicksPerSecond) + shift;
    }
}
