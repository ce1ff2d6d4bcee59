using ChronoFlow.Tests.Cron.Reference;
using FsCheck;
using FsCheck.Fluent;

namespace ChronoFlow.Tests.Cron;

/// <summary>One generated search: an expression, its format, a zone, an instant and the inclusive flag.</summary>
public sealed record CronCase(string Expression, CronFormat Format, string ZoneId, DateTimeOffset From, bool Inclusive)
{
    public TimeZoneInfo Zone => TimeZoneInfo.FindSystemTimeZoneById(ZoneId);

    /// <summary>A line that reproduces the case by hand.</summary>
    public override string ToString()
        => $"expression \"{Expression}\", format {Format}, zone {ZoneId}, from {From.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffffff}Z (local {TimeZoneInfo.ConvertTime(From, Zone):yyyy-MM-ddTHH:mm:ss.fffffffzzz}), inclusive {Inclusive}";
}

/// <summary>A search that starts shortly before a transition, with an expression whose hours surround the transition's local hours.</summary>
public sealed record DstCronCase(CronCase Case)
{
    public override string ToString() => Case.ToString();
}

/// <summary>A search with an expression that fires rarely (years apart) or never.</summary>
public sealed record SparseCronCase(CronCase Case)
{
    public override string ToString() => Case.ToString();
}

/// <summary>A valid expression with its format.</summary>
public sealed record CronText(string Expression, CronFormat Format)
{
    public override string ToString() => $"expression \"{Expression}\", format {Format}";
}

/// <summary>
/// Generators of valid expressions across the whole dialect and every <see cref="CronFormat"/>, of instants from
/// 1970 to 2199 (often close to a transition of the zone), and of zones with unusual transitions.
/// </summary>
public static class Arbitraries
{
    /// <summary>
    /// The zones under test: whole-hour, half-hour (Lord Howe) and 45-minute (Chatham) shifts, transitions at
    /// midnight (Santiago, Havana, Beirut, Asuncion until 2024, Amman until 2022), negative DST (Dublin, Casablanca),
    /// and a change of standard offset by 15 minutes (Kathmandu, 1986).
    /// </summary>
    public static readonly string[] ZoneIds =
    [
        "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "Pacific/Chatham", "America/Santiago",
        "Asia/Kathmandu", "America/Havana", "Asia/Beirut", "America/Asuncion", "Asia/Amman", "Europe/Dublin",
        "Africa/Casablanca",
    ];

    private static readonly string[] s_monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    public static Arbitrary<CronCase> CronCase() => CronCaseGen.ToArbitrary();

    public static Arbitrary<CronText> CronText() => CronTextGen.ToArbitrary();

    public static Arbitrary<DstCronCase> DstCronCase() => DstCronCaseGen.ToArbitrary();

    /// <summary>
    /// Cases aimed at the transition rules: the zone has a transition in the chosen year, the search starts up to
    /// three hours before it (or just after it), and the hour field names hours around the local hours of the jump.
    /// </summary>
    public static Gen<DstCronCase> DstCronCaseGen =>
        from zoneId in Gen.Elements(ZoneIds.Where(z => z != "UTC").ToArray())
        from year in Gen.Frequency((2, Gen.Choose(1970, 2199)), (3, Gen.Choose(1980, 2030)))
        from pick in Gen.Choose(0, 1000)
        let zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId)
        let transitions = ReferenceZone.TransitionsIn(zone, year)
        where transitions.Length > 0
        let t = transitions[pick % transitions.Length]
        let before = (t.Instant + t.Before).Hour
        let after = (t.Instant + t.After).Hour
        from format in Gen.Elements(CronFormat.Standard, CronFormat.IncludeSeconds, CronFormat.IntersectDays, CronFormat.IncludeSeconds | CronFormat.IncludeYear)
        from second in (format & CronFormat.IncludeSeconds) != 0
            ? Gen.Frequency((4, Gen.Constant("0")), (1, Gen.Elements("*/20", "59", "0,30", "58-2")))
            : Gen.Constant(string.Empty)
        from minute in Gen.Frequency(
            (3, Gen.Elements("0", "30", "15,45", "59", "45")),
            (2, Gen.Elements("*/30", "*/15", "0-59/20", "50-10/10", "*")),
            (2, Gen.Choose(0, 59).Select(m => m.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        from hour in HoursAround(before, after)
        from days in Gen.Frequency(
            (6, Gen.Constant("* * *")),
            (1, Gen.Elements("? * SUN", "* * 0-6", "L * *", "1-31 * ?", "* * 6#1,0#1,0L,6L", "? * SAT-SUN", "LW,L * ?")))
        from shift in Gen.Frequency((4, Gen.Choose(-3 * 3600, 0)), (1, Gen.Choose(-2, 2)), (1, Gen.Choose(0, 3600)))
        from fraction in Gen.Frequency((5, Gen.Constant(0)), (1, Gen.Choose(1, (int)TimeSpan.TicksPerSecond - 1)))
        from inclusive in Gen.Elements(false, true)
        let fields = ((format & CronFormat.IncludeSeconds) != 0 ? second + " " : string.Empty) + minute + " " + hour + " " + days + ((format & CronFormat.IncludeYear) != 0 ? " *" : string.Empty)
        let start = t.Instant.AddSeconds(shift).AddTicks(fraction)
        select new DstCronCase(new CronCase(fields, format, zoneId, new DateTimeOffset(start).ToOffset(zone.GetUtcOffset(start)), inclusive));

    private static Gen<string> HoursAround(int before, int after)
    {
        static string H(int h) => ((h % 24 + 24) % 24).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Gen.Frequency(
            (3, Gen.Elements(H(before), H(after), H(before - 1), H(after + 1), H(Math.Min(before, after)))),
            (2, Gen.Constant(H(before - 1) + "-" + H(after + 1))),
            (1, Gen.Constant(H(before) + "," + H(after))),
            (1, Gen.Constant(H(before - 1) + "-" + H(after + 1) + "/2")),
            (1, Gen.Constant("*")));
    }

    public static Arbitrary<SparseCronCase> SparseCronCase() => SparseCronCaseGen.ToArbitrary();

    /// <summary>
    /// Expressions whose day fields rarely meet (29 February on a given weekday, a fifth weekday in February, 31W in a
    /// short month) or never do, with IntersectDays, searched from anywhere in 1970-2199 in any zone.
    /// </summary>
    public static Gen<SparseCronCase> SparseCronCaseGen =>
        from day in Gen.Elements("29", "30", "31", "L", "L-28", "29W", "30W", "31W", "LW", "1W", "28-29", "L-27W")
        from month in Gen.Elements("2", "FEB", "2,4", "4,6,9,11", "*")
        from weekday in Gen.Elements("1", "SUN", "5L", "1#5", "0#5", "6#5", "2#4,3#5", "MON-TUE", "0L,6L", "*")
        from year in Gen.Frequency((5, Gen.Constant(string.Empty)), (1, Gen.Elements(" *", " 2000-2099/4", " */7", " 2024,2052,2080")))
        from time in Gen.Elements("0 0", "30 2", "59 23", "*/30 1", "15 0-3")
        from zone in Gen.Elements(ZoneIds)
        from at in Instant(zone)
        from inclusive in Gen.Elements(false, true)
        let format = CronFormat.IntersectDays | (year.Length > 0 ? CronFormat.IncludeYear : CronFormat.Standard)
        select new SparseCronCase(new CronCase($"{time} {day} {month} {weekday}{year}", format, zone, at, inclusive));

    public static Gen<CronText> CronTextGen =>
        from format in Gen.Elements(
            CronFormat.Standard, CronFormat.IncludeSeconds, CronFormat.IntersectDays, CronFormat.IncludeYear,
            CronFormat.IncludeSeconds | CronFormat.IntersectDays, CronFormat.IncludeSeconds | CronFormat.IncludeYear,
            CronFormat.IntersectDays | CronFormat.IncludeYear, CronFormat.IncludeSeconds | CronFormat.IntersectDays | CronFormat.IncludeYear)
        from text in Gen.Frequency((1, Macro), (30, Fields(format)))
        select new CronText(text, format);

    public static Gen<CronCase> CronCaseGen =>
        from text in CronTextGen
        from zone in Gen.Elements(ZoneIds)
        from at in Instant(zone)
        from inclusive in Gen.Elements(false, true)
        select new CronCase(text.Expression, text.Format, zone, at, inclusive);

    // ---------------------------------------------------------------------------------------------------------
    // Instants
    // ---------------------------------------------------------------------------------------------------------

    private static readonly long s_min = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks / TimeSpan.TicksPerSecond;
    private static readonly long s_max = new DateTime(2200, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks / TimeSpan.TicksPerSecond;

    /// <summary>An instant from 1970 to 2199, often a few hours or seconds from a transition of the zone, shown in the zone's offset.</summary>
    public static Gen<DateTimeOffset> Instant(string zoneId)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var uniform = from f in Gen.Choose(0, int.MaxValue)
                      from g in Gen.Choose(0, 1 << 20)
                      select s_min + (long)(((double)f / int.MaxValue) * (s_max - s_min)) + (g % 3600) - 1800;
        var nearTransition = from year in Gen.Frequency((3, Gen.Choose(1970, 2199)), (3, Gen.Choose(2020, 2030)))
                             from pick in Gen.Choose(0, 1000)
                             from shift in Gen.Frequency(
                                 (3, Gen.Choose(-3 * 3600, 3 * 3600)),
                                 (2, Gen.Choose(-2, 2)),
                                 (2, Gen.Choose(-36 * 3600, 36 * 3600)))
                             select NearTransition(zone, year, pick, shift);
        var seconds = Gen.Frequency((2, uniform), (3, nearTransition));
        return from s in seconds
               from fraction in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Choose(1, (int)TimeSpan.TicksPerSecond - 1)))
               let utc = new DateTime(s * TimeSpan.TicksPerSecond + fraction, DateTimeKind.Utc)
               select new DateTimeOffset(utc).ToOffset(zone.GetUtcOffset(utc));
    }

    private static long NearTransition(TimeZoneInfo zone, int year, int pick, int shift)
    {
        var transitions = ReferenceZone.TransitionsIn(zone, year);
        var at = transitions.Length == 0
            ? new DateTime(year, 1 + pick % 12, 1, 0, 0, 0, DateTimeKind.Utc)
            : transitions[pick % transitions.Length].Instant;
        return at.Ticks / TimeSpan.TicksPerSecond + shift;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Expressions
    // ---------------------------------------------------------------------------------------------------------

    private static Gen<string> Macro =>
        from name in Gen.Elements("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly", "@every_minute", "@every_second")
        from upper in Gen.Elements(false, false, true)
        select upper ? name.ToUpperInvariant() : name;

    private static Gen<string> Fields(CronFormat format)
    {
        var seconds = (format & CronFormat.IncludeSeconds) != 0;
        var year = (format & CronFormat.IncludeYear) != 0;
        return from s in seconds ? SecondField : Gen.Constant<string?>(null)
               from m in MinuteField
               from h in HourField
               from dom in DayOfMonthField
               from mon in MonthField
               from dow in DayOfWeekField
               from y in year ? YearField : Gen.Constant<string?>(null)
               from lead in Space(allowEmpty: true)
               from seps in Gen.ArrayOf(Space(allowEmpty: false), 6)
               from trail in Space(allowEmpty: true)
               select lead + string.Join(string.Empty, new[] { s, m, h, dom, mon, dow, y }.Where(x => x is not null).Select((x, i) => (i == 0 ? string.Empty : seps[i - 1]) + x)) + trail;
    }

    private static Gen<string> Space(bool allowEmpty) =>
        Gen.Frequency(
            (allowEmpty ? 6 : 0, Gen.Constant(string.Empty)),
            (8, Gen.Constant(" ")),
            (1, Gen.Constant("\t")),
            (1, Gen.Constant("  \t ")));

    private static Gen<string> Number(int min, int max) =>
        from v in Gen.Choose(min, max)
        from zero in Gen.Frequency((12, Gen.Constant(false)), (1, Gen.Constant(true)))
        select zero ? "0" + v : v.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static Gen<string> AnyCase(string name) =>
        from mask in Gen.Frequency((4, Gen.Constant(0)), (1, Gen.Choose(0, 7)))
        select new string(name.Select((c, i) => (mask >> i & 1) != 0 ? char.ToLowerInvariant(c) : c).ToArray());

    /// <summary>Plain items for a field of values min..max: values, ranges (often reversed), steps, <c>*</c>.</summary>
    private static Gen<string> PlainItem(int min, int max, Gen<string> value, Gen<string>? star = null)
    {
        star ??= Gen.Constant("*");
        var step = Gen.Frequency((4, Number(1, Math.Min(max, 12))), (1, Number(1, max)));
        return Gen.Frequency(
            (6, value),
            (3, from a in value from b in value select a + "-" + b),
            (2, from s in star from n in step select s + "/" + n),
            (2, from a in value from n in step select a + "/" + n),
            (2, from a in value from b in value from n in step select a + "-" + b + "/" + n),
            (1, star));
    }

    private static Gen<string> ListOf(Gen<string> item) =>
        from n in Gen.Frequency((6, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Constant(3)))
        from items in Gen.ArrayOf(item, n)
        select string.Join(",", items);

    private static Gen<string?> SecondField =>
        Gen.Frequency(
            (5, Gen.Constant("0")),
            (2, Gen.Constant("*")),
            (1, Gen.Constant("*/15")),
            (6, ListOf(PlainItem(0, 59, Number(0, 59))))).Select(x => (string?)x);

    private static Gen<string> MinuteField =>
        Gen.Frequency(
            (3, Gen.Constant("0")),
            (1, Gen.Constant("*")),
            (2, Gen.Elements("30", "15,45", "*/30", "0-59/20", "45-15/10")),
            (6, ListOf(PlainItem(0, 59, Number(0, 59)))));

    // Hours bias to 0-3 o'clock, where transitions happen; fixed and interval forms both.
    private static Gen<string> HourField =>
        Gen.Frequency(
            (4, Number(0, 3)),
            (2, Gen.Constant("*")),
            (2, Gen.Elements("0,1,2", "1-2", "2/1", "23-1", "22-2/2", "0-3", "*/2", "12")),
            (5, ListOf(PlainItem(0, 23, Gen.Frequency((3, Number(0, 3)), (2, Number(0, 23)))))));

    private static Gen<string> DayValue => Gen.Frequency((3, Number(1, 31)), (2, Number(28, 31)), (1, Gen.Constant("29")));

    private static Gen<string> DayOfMonthSpecial =>
        from special in DayOfMonthSpecialUpper
        from lower in Gen.Frequency((6, Gen.Constant(false)), (1, Gen.Constant(true)))
        select lower ? special.ToLowerInvariant() : special;

    private static Gen<string> DayOfMonthSpecialUpper =>
        Gen.Frequency(
            (2, Gen.Constant("L")),
            (2, Number(0, 30).Select(n => "L-" + n)),
            (1, Number(0, 3).Select(n => "L-" + n)),
            (3, Number(1, 31).Select(n => n + "W")),
            (1, Gen.Elements("1W", "15W", "30W", "31W")),
            (2, Gen.Constant("LW")),
            (2, Number(0, 30).Select(n => "L-" + n + "W")));

    private static Gen<string> DayOfMonthField =>
        Gen.Frequency(
            (8, Gen.Constant("*")),
            (3, Gen.Constant("?")),
            (2, from q in Gen.Elements("*", "?") from n in Number(1, 31) select q + "/" + n),
            (5, ListOf(Gen.Frequency((4, PlainItem(1, 31, DayValue, Gen.Elements("*", "?"))), (3, DayOfMonthSpecial)))));

    private static Gen<string> MonthField =>
        Gen.Frequency(
            (8, Gen.Constant("*")),
            (5, ListOf(PlainItem(1, 12, Gen.Frequency(
                (3, Number(1, 12)),
                (1, Gen.Constant("2")),
                (2, Gen.Elements(s_monthNames).SelectMany(AnyCase)))))));

    private static Gen<string> WeekdayValue =>
        Gen.Frequency((3, Number(0, 7)), (2, Gen.Elements(s_dayNames).SelectMany(AnyCase)));

    private static Gen<string> DayOfWeekSpecial =>
        Gen.Frequency(
            (2, WeekdayValue.Select(v => v + "L")),
            (3, from v in WeekdayValue from k in Gen.Choose(1, 5) select v + "#" + k));

    private static Gen<string> DayOfWeekField =>
        Gen.Frequency(
            (8, Gen.Constant("*")),
            (3, Gen.Constant("?")),
            (1, from q in Gen.Elements("*", "?") from n in Number(1, 7) select q + "/" + n),
            (2, Gen.Elements("MON-FRI", "FRI-MON", "5-1/2", "1/2", "0", "7", "SAT,SUN", "1#1,3#3", "5L")),
            (5, ListOf(Gen.Frequency(
                (4, PlainItem(0, 7, WeekdayValue, Gen.Elements("*", "?"))),
                (3, DayOfWeekSpecial)))));

    private static Gen<string?> YearField =>
        Gen.Frequency(
            (6, Gen.Constant("*")),
            (2, Gen.Elements("*/4", "2024/4", "2030-2040", "2099", "1970-1979", "2025,2030")),
            (4, ListOf(YearItem))).Select(x => (string?)x);

    private static Gen<string> YearItem =>
        PlainItem(1970, 2099, Gen.Frequency((3, Gen.Choose(1970, 2099)), (3, Gen.Choose(2015, 2040))).Select(y => y.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
