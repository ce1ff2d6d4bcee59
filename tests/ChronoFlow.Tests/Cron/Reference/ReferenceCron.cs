using System.Globalization;

namespace ChronoFlow.Tests.Cron.Reference;

/// <summary>
/// A slow reference implementation of the cron dialect of the README, written without looking at the engine so
/// that the property tests compare two independent readings of the specification. It favours being obviously
/// correct over speed: every field is a <c>bool[]</c>, days are visited one by one, and every offset comes from
/// <see cref="TimeZoneInfo.GetUtcOffset(DateTime)"/> of a UTC instant (see <see cref="ReferenceZone"/>).
/// </summary>
/// <remarks>
/// <para>Not supported on purpose: <c>H</c> (tested by hand in <c>CronExpressionTests</c>).</para>
/// <para>
/// Where the README is silent the reference takes, and documents here, these readings:
/// <list type="bullet">
/// <item>the letters <c>L</c> and <c>W</c> of the specials are read in any case, like names;</item>
/// <item>a reversed weekday range walks the 7-day cycle (7 is Sunday, i.e. 0), so <c>7-3/2</c> is Sunday and Tuesday;</item>
/// <item>a reversed year range wraps round 1970-2099;</item>
/// <item>a year <c>*</c> item without a step (even inside a list) means every year with no end;</item>
/// <item><c>?</c> is <c>*</c> under another name in the day fields, so it may stand inside a list like <c>*</c>;</item>
/// <item>a step may be as large as the field's maximum value (so up to 2099 in the year field).</item>
/// </list>
/// </para>
/// </remarks>
internal sealed class ReferenceCron
{
    private static readonly string[] s_monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // One bool per value of each field.
    private readonly bool[] _seconds = new bool[60];
    private readonly bool[] _minutes = new bool[60];
    private readonly bool[] _hours = new bool[24];
    private readonly bool[] _months = new bool[13];      // 1-12
    private readonly bool[] _years = new bool[2100];     // 1970-2099
    private bool _anyYear;

    // Day of month: plain days and the specials.
    private readonly bool[] _days = new bool[32];        // 1-31
    private readonly List<int> _lastDayMinus = [];        // L-n (L = L-0)
    private readonly List<int> _lastDayMinusWeekday = []; // L-nW (LW = L-0W)
    private readonly List<int> _nearestWeekday = [];      // nW

    // Day of week: plain weekdays (0 = Sunday) and the specials.
    private readonly bool[] _weekdays = new bool[7];
    private readonly bool[] _lastWeekday = new bool[7];   // nL
    private readonly bool[,] _nthWeekday = new bool[7, 6]; // n#k, k 1-5

    private bool _dayOfMonthRestricted;
    private bool _dayOfWeekRestricted;
    private bool _intersectDays;

    /// <summary>Gets whether the expression is fixed-time (decided by the text of second, minute and hour).</summary>
    public bool IsFixedTime { get; private set; }

    private ReferenceCron()
    {
    }

    // ----------------------------------------------------------------------------------------------------
    // Parsing
    // ----------------------------------------------------------------------------------------------------

    public static ReferenceCron Parse(string text, CronFormat format)
        => TryParse(text, format, out var result, out var error) ? result! : throw new FormatException($"reference rejects '{text}': {error}");

    public static bool TryParse(string text, CronFormat format, out ReferenceCron? result, out string? error)
    {
        result = null;
        var trimmed = text.Trim(' ', '\t');
        if (trimmed.StartsWith('@'))
        {
            return TryMacro(trimmed, out result, out error);
        }

        var fields = trimmed.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var hasSeconds = (format & CronFormat.IncludeSeconds) != 0;
        var hasYear = (format & CronFormat.IncludeYear) != 0;
        var expected = 5 + (hasSeconds ? 1 : 0) + (hasYear ? 1 : 0);
        if (fields.Length != expected)
        {
            error = $"expected {expected} fields, found {fields.Length}";
            return false;
        }

        var cron = new ReferenceCron { _intersectDays = (format & CronFormat.IntersectDays) != 0 };
        var i = 0;
        var secondText = "0";
        if (hasSeconds)
        {
            secondText = fields[i++];
            if (!cron.ParsePlainField(secondText, "second", 0, 59, null, cron._seconds, out error))
            {
                return false;
            }
        }
        else
        {
            cron._seconds[0] = true;
        }

        var minuteText = fields[i++];
        var hourText = fields[i++];
        var domText = fields[i++];
        var monthText = fields[i++];
        var dowText = fields[i++];
        if (!cron.ParsePlainField(minuteText, "minute", 0, 59, null, cron._minutes, out error)
            || !cron.ParsePlainField(hourText, "hour", 0, 23, null, cron._hours, out error)
            || !cron.ParseDayOfMonth(domText, out error)
            || !cron.ParsePlainField(monthText, "month", 1, 12, s_monthNames, cron._months, out error)
            || !cron.ParseDayOfWeek(dowText, out error))
        {
            return false;
        }

        if (hasYear)
        {
            if (!cron.ParseYear(fields[i], out error))
            {
                return false;
            }
        }
        else
        {
            cron._anyYear = true;
        }

        cron._dayOfMonthRestricted = domText[0] is not ('*' or '?');
        cron._dayOfWeekRestricted = dowText[0] is not ('*' or '?');
        cron.IsFixedTime = IsSingleValues(secondText) && IsSingleValues(minuteText) && IsSingleValues(hourText);
        result = cron;
        error = null;
        return true;
    }

    private static bool IsSingleValues(string field) => field.IndexOfAny(['*', '?', '-', '/']) < 0;

    private static bool TryMacro(string text, out ReferenceCron? result, out string? error)
    {
        var expansion = text.ToUpperInvariant() switch
        {
            "@YEARLY" or "@ANNUALLY" => "0 0 1 1 *",
            "@MONTHLY" => "0 0 1 * *",
            "@WEEKLY" => "0 0 * * 0",
            "@DAILY" or "@MIDNIGHT" => "0 0 * * *",
            "@HOURLY" => "0 * * * *",
            "@EVERY_MINUTE" => "* * * * *",
            "@EVERY_SECOND" => "* * * * * *",
            _ => null,
        };
        if (expansion is null)
        {
            result = null;
            error = $"unknown macro '{text}'";
            return false;
        }

        var format = text.Equals("@every_second", StringComparison.OrdinalIgnoreCase) ? CronFormat.IncludeSeconds : CronFormat.Standard;
        return TryParse(expansion, format, out result, out error);
    }

    /// <summary>Parses a field of plain items (<c>*</c>, values, ranges, steps, lists) into <paramref name="set"/>.</summary>
    private bool ParsePlainField(string text, string field, int min, int max, string[]? names, bool[] set, out string? error)
    {
        foreach (var item in text.Split(','))
        {
            if (!ParsePlainItem(item, field, min, max, names, allowQuestion: false, cycle: max - min + 1, set, out error))
            {
                return false;
            }
        }

        error = null;
        return true;
    }

    private static bool ParsePlainItem(string item, string field, int min, int max, string[]? names, bool allowQuestion, int cycle, bool[] set, out string? error)
    {
        if (item.Length == 0)
        {
            error = $"{field}: empty list item";
            return false;
        }

        var slash = item.Split('/');
        if (slash.Length > 2)
        {
            error = $"{field}: two steps in '{item}'";
            return false;
        }

        var step = 1;
        if (slash.Length == 2 && (!TryNumber(slash[1], out step) || step < 1 || step > max))
        {
            error = $"{field}: bad step in '{item}'";
            return false;
        }

        var range = slash[0];
        int first, last;
        if (range == "*" || (allowQuestion && range == "?"))
        {
            first = min;
            last = max;
        }
        else
        {
            var dash = range.Split('-');
            if (dash.Length > 2 || !TryValue(dash[0], min, max, names, out first))
            {
                error = $"{field}: bad value in '{item}'";
                return false;
            }

            if (dash.Length == 2)
            {
                if (!TryValue(dash[1], min, max, names, out last))
                {
                    error = $"{field}: bad value in '{item}'";
                    return false;
                }
            }
            else
            {
                last = slash.Length == 2 ? max : first;   // a/n runs to the field's maximum
            }
        }

        if (first <= last)
        {
            for (var v = first; v <= last; v += step)
            {
                set[cycle == 7 ? v % 7 : v] = true;
            }
        }
        else
        {
            // A reversed range wraps round the field's cycle and the step keeps counting across the wrap.
            var distance = ((last - first) % cycle + cycle) % cycle;
            for (var k = 0; k <= distance; k += step)
            {
                var v = min + ((first - min + k) % cycle);
                set[cycle == 7 ? v % 7 : v] = true;
            }
        }

        error = null;
        return true;
    }

    private bool ParseDayOfMonth(string text, out string? error)
    {
        foreach (var item in text.ToUpperInvariant().Split(','))
        {
            if (item == "L")
            {
                _lastDayMinus.Add(0);
            }
            else if (item == "LW")
            {
                _lastDayMinusWeekday.Add(0);
            }
            else if (item.StartsWith("L-", StringComparison.Ordinal) && item.EndsWith('W') && TryNumber(item[2..^1], out var nw) && nw <= 30)
            {
                _lastDayMinusWeekday.Add(nw);
            }
            else if (item.StartsWith("L-", StringComparison.Ordinal) && TryNumber(item[2..], out var n) && n <= 30)
            {
                _lastDayMinus.Add(n);
            }
            else if (item.EndsWith('W') && TryNumber(item[..^1], out var day) && day is >= 1 and <= 31)
            {
                _nearestWeekday.Add(day);
            }
            else if (!ParsePlainItem(item, "day-of-month", 1, 31, null, allowQuestion: true, cycle: 31, _days, out error))
            {
                return false;
            }
        }

        error = null;
        return true;
    }

    private bool ParseDayOfWeek(string text, out string? error)
    {
        foreach (var item in text.ToUpperInvariant().Split(','))
        {
            var hash = item.IndexOf('#', StringComparison.Ordinal);
            if (hash > 0)
            {
                if (!TryValue(item[..hash], 0, 7, s_dayNames, out var weekday) || !TryNumber(item[(hash + 1)..], out var k) || k is < 1 or > 5)
                {
                    error = $"day-of-week: bad n#k '{item}'";
                    return false;
                }

                _nthWeekday[weekday % 7, k] = true;
            }
            else if (item.Length > 1 && item.EndsWith('L'))
            {
                if (!TryValue(item[..^1], 0, 7, s_dayNames, out var weekday))
                {
                    error = $"day-of-week: bad nL '{item}'";
                    return false;
                }

                _lastWeekday[weekday % 7] = true;
            }
            else if (!ParsePlainItem(item, "day-of-week", 0, 7, s_dayNames, allowQuestion: true, cycle: 7, _weekdays, out error))
            {
                return false;
            }
        }

        error = null;
        return true;
    }

    private bool ParseYear(string text, out string? error)
    {
        foreach (var item in text.Split(','))
        {
            if (item == "*")
            {
                _anyYear = true;
            }
            else if (!ParsePlainItem(item, "year", 1970, 2099, null, allowQuestion: false, cycle: 130, _years, out error))
            {
                return false;
            }
        }

        error = null;
        return true;
    }

    private static bool TryValue(string text, int min, int max, string[]? names, out int value)
    {
        value = -1;
        if (names is not null && text.Length == 3 && text.All(char.IsAsciiLetter))
        {
            var index = Array.IndexOf(names, text.ToUpperInvariant());
            if (index < 0)
            {
                return false;
            }

            value = names.Length == 12 ? index + 1 : index;
            return true;
        }

        return TryNumber(text, out value) && value >= min && value <= max;
    }

    private static bool TryNumber(string text, out int value)
    {
        value = -1;
        if (text.Length == 0 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        // Leading zeros are allowed, however many; a longer number is out of every range.
        var digits = text.TrimStart('0');
        value = digits.Length == 0 ? 0 : digits.Length > 9 ? int.MaxValue : int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }

    // ----------------------------------------------------------------------------------------------------
    // Matching a wall-clock time
    // ----------------------------------------------------------------------------------------------------

    public bool YearMatches(int year) => _anyYear || (year is >= 1970 and <= 2099 && _years[year]);

    public bool MonthMatches(int month) => _months[month];

    /// <summary>Whether the calendar day (year, month, day of month, day of week) matches.</summary>
    public bool DayMatches(DateTime date)
    {
        if (!YearMatches(date.Year) || !_months[date.Month])
        {
            return false;
        }

        var dom = DayOfMonthMatches(date);
        var dow = DayOfWeekMatches(date);
        if (_dayOfMonthRestricted && _dayOfWeekRestricted && !_intersectDays)
        {
            return dom || dow;
        }

        return dom && dow;
    }

    private bool DayOfMonthMatches(DateTime date)
    {
        var day = date.Day;
        var last = DateTime.DaysInMonth(date.Year, date.Month);
        if (_days[day])
        {
            return true;
        }

        foreach (var n in _lastDayMinus)
        {
            if (last - n >= 1 && last - n == day)
            {
                return true;
            }
        }

        foreach (var n in _nearestWeekday)
        {
            if (n <= last && NearestWeekday(date.Year, date.Month, n) == day)
            {
                return true;
            }
        }

        foreach (var n in _lastDayMinusWeekday)
        {
            if (last - n >= 1 && NearestWeekday(date.Year, date.Month, last - n) == day)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The weekday (Monday-Friday) nearest to day <paramref name="n"/>, never leaving the month.</summary>
    public static int NearestWeekday(int year, int month, int n)
    {
        var last = DateTime.DaysInMonth(year, month);
        return new DateTime(year, month, n).DayOfWeek switch
        {
            DayOfWeek.Saturday => n - 1 >= 1 ? n - 1 : n + 2,
            DayOfWeek.Sunday => n + 1 <= last ? n + 1 : n - 2,
            _ => n,
        };
    }

    private bool DayOfWeekMatches(DateTime date)
    {
        var weekday = (int)date.DayOfWeek;
        var last = DateTime.DaysInMonth(date.Year, date.Month);
        return _weekdays[weekday]
            || (_lastWeekday[weekday] && date.Day + 7 > last)
            || _nthWeekday[weekday, ((date.Day - 1) / 7) + 1];
    }

    public bool TimeMatches(int secondOfDay) => _hours[secondOfDay / 3600] && _minutes[secondOfDay / 60 % 60] && _seconds[secondOfDay % 60];

    /// <summary>Whether a wall-clock time (whole second) matches every field.</summary>
    public bool Matches(DateTime local) => DayMatches(local.Date) && TimeMatches((int)(local.TimeOfDay.Ticks / TimeSpan.TicksPerSecond));

    /// <summary>The matching seconds of a day in [<paramref name="lo"/>, <paramref name="hi"/>), ascending.</summary>
    private IEnumerable<int> SecondsOfDay(int lo, int hi)
    {
        for (var h = 0; h < 24; h++)
        {
            if (!_hours[h] || h * 3600 + 3599 < lo)
            {
                continue;
            }

            for (var m = 0; m < 60; m++)
            {
                if (!_minutes[m] || h * 3600 + m * 60 + 59 < lo)
                {
                    continue;
                }

                for (var s = 0; s < 60; s++)
                {
                    var sod = h * 3600 + m * 60 + s;
                    if (!_seconds[s] || sod < lo)
                    {
                        continue;
                    }

                    if (sod >= hi)
                    {
                        yield break;
                    }

                    yield return sod;
                }
            }
        }
    }

    /// <summary>The matching seconds of a day in [<paramref name="lo"/>, <paramref name="hi"/>), descending.</summary>
    private IEnumerable<int> SecondsOfDayDescending(int lo, int hi)
    {
        for (var h = 23; h >= 0; h--)
        {
            if (!_hours[h] || h * 3600 >= hi)
            {
                continue;
            }

            for (var m = 59; m >= 0; m--)
            {
                if (!_minutes[m] || h * 3600 + m * 60 >= hi)
                {
                    continue;
                }

                for (var s = 59; s >= 0; s--)
                {
                    var sod = h * 3600 + m * 60 + s;
                    if (!_seconds[s] || sod >= hi)
                    {
                        continue;
                    }

                    if (sod < lo)
                    {
                        yield break;
                    }

                    yield return sod;
                }
            }
        }
    }

    /// <summary>Whether some wall time in [<paramref name="from"/>, <paramref name="to"/>) matches.</summary>
    private bool AnyMatchIn(DateTime from, DateTime to)
    {
        for (var day = from.Date; day < to; day = day.AddDays(1))
        {
            if (!DayMatches(day))
            {
                continue;
            }

            var lo = day < from ? (int)((from - day).Ticks / TimeSpan.TicksPerSecond) : 0;
            var hi = to < day.AddDays(1) ? (int)((to - day).Ticks / TimeSpan.TicksPerSecond) : 86400;
            if (SecondsOfDay(lo, hi).Any())
            {
                return true;
            }
        }

        return false;
    }

    // ----------------------------------------------------------------------------------------------------
    // Occurrences
    // ----------------------------------------------------------------------------------------------------

    /// <summary>
    /// The definition of an occurrence, checked directly: a whole-second UTC instant <paramref name="utc"/> is one iff
    /// (a) its wall time matches and, for a fixed-time expression, no earlier instant had the same wall time; or
    /// (b) the offset increases at <paramref name="utc"/> and some skipped wall time matches.
    /// </summary>
    public bool IsOccurrence(DateTime utc, TimeZoneInfo zone)
    {
        if (utc.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            return false;
        }

        var offset = ReferenceZone.Offset(zone, utc);
        var local = utc + offset;
        if (Matches(local) && !(IsFixedTime && IsSecondPass(utc, local, zone)))
        {
            return true;
        }

        var before = ReferenceZone.Offset(zone, utc.AddSeconds(-1));
        return offset > before && AnyMatchIn(utc + before, utc + offset);
    }

    /// <summary>Whether an earlier instant than <paramref name="utc"/> showed the same wall time.</summary>
    private static bool IsSecondPass(DateTime utc, DateTime local, TimeZoneInfo zone)
    {
        foreach (var o in ReferenceZone.OffsetsAround(zone, local.Date))
        {
            var earlier = local - o;
            if (earlier < utc && ReferenceZone.Offset(zone, earlier) == o)
            {
                return true;
            }
        }

        return false;
    }

    public DateTime? Next(DateTime fromUtc, bool inclusive = false)
        => Next(new DateTimeOffset(fromUtc.Ticks, TimeSpan.Zero), TimeZoneInfo.Utc, inclusive)?.UtcDateTime;

    public DateTime? Previous(DateTime fromUtc, bool inclusive = false)
        => Previous(new DateTimeOffset(fromUtc.Ticks, TimeSpan.Zero), TimeZoneInfo.Utc, inclusive)?.UtcDateTime;

    /// <summary>The first occurrence after (or at, when inclusive) <paramref name="from"/>.</summary>
    public DateTimeOffset? Next(DateTimeOffset from, TimeZoneInfo zone, bool inclusive = false)
    {
        // The first whole second the search may return.
        var ticks = from.UtcTicks;
        var startTicks = ticks % TimeSpan.TicksPerSecond == 0
            ? (inclusive ? ticks : ticks + TimeSpan.TicksPerSecond)
            : ticks - (ticks % TimeSpan.TicksPerSecond) + TimeSpan.TicksPerSecond;
        var start = new DateTime(startTicks, DateTimeKind.Utc);

        // Offsets lie within +-14 h, so a local day D maps to instants in [D - 14 h, D + 38 h]: start three days
        // early, and once a day yields a candidate also look at the two days after it.
        var firstDay = (start + ReferenceZone.Offset(zone, start)).Date.AddDays(-3);
        var limit = firstDay.AddYears(402);
        var lastDay = new DateTime(9999, 12, 29);
        DateTime? best = null;
        DateTime? stopAfter = null;
        for (var day = firstDay; day <= limit && day <= lastDay && (stopAfter is null || day <= stopAfter); day = day.AddDays(1))
        {
            if (!_anyYear && day.Year > 2099)
            {
                break;
            }

            if (!YearMatches(day.Year))
            {
                day = Min(new DateTime(day.Year, 12, 31), lastDay);
                continue;
            }

            if (!_months[day.Month])
            {
                day = Min(new DateTime(day.Year, day.Month, DateTime.DaysInMonth(day.Year, day.Month)), lastDay);
                continue;
            }

            if (!DayMatches(day))
            {
                continue;
            }

            var candidate = EarliestOnDay(day, zone, start);
            if (candidate is not null && (best is null || candidate < best))
            {
                best = candidate;
                stopAfter ??= day.AddDays(2);
            }
        }

        return best is null ? null : new DateTimeOffset(best.Value.Ticks, TimeSpan.Zero).ToOffset(ReferenceZone.Offset(zone, best.Value));
    }

    /// <summary>The last occurrence before (or at, when inclusive) <paramref name="from"/>.</summary>
    public DateTimeOffset? Previous(DateTimeOffset from, TimeZoneInfo zone, bool inclusive = false)
    {
        // The last whole second the search may return.
        var ticks = from.UtcTicks;
        var endTicks = ticks % TimeSpan.TicksPerSecond == 0
            ? (inclusive ? ticks : ticks - TimeSpan.TicksPerSecond)
            : ticks - (ticks % TimeSpan.TicksPerSecond);
        var end = new DateTime(endTicks, DateTimeKind.Utc);

        var firstDay = (end + ReferenceZone.Offset(zone, end)).Date.AddDays(3);
        var limit = firstDay.AddYears(-402);
        var lastDay = new DateTime(2, 1, 1);
        DateTime? best = null;
        DateTime? stopAfter = null;
        for (var day = firstDay; day >= limit && day >= lastDay && (stopAfter is null || day >= stopAfter); day = day.AddDays(-1))
        {
            if (!_anyYear && day.Year < 1970)
            {
                break;
            }

            if (!YearMatches(day.Year))
            {
                day = new DateTime(day.Year, 1, 1);
                continue;
            }

            if (!_months[day.Month])
            {
                day = new DateTime(day.Year, day.Month, 1);
                continue;
            }

            if (!DayMatches(day))
            {
                continue;
            }

            var candidate = LatestOnDay(day, zone, end);
            if (candidate is not null && (best is null || candidate > best))
            {
                best = candidate;
                stopAfter ??= day.AddDays(-2);
            }
        }

        return best is null ? null : new DateTimeOffset(best.Value.Ticks, TimeSpan.Zero).ToOffset(ReferenceZone.Offset(zone, best.Value));
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The earliest occurrence at or after <paramref name="start"/> that comes from the wall times of local day <paramref name="day"/>.</summary>
    private DateTime? EarliestOnDay(DateTime day, TimeZoneInfo zone, DateTime start)
    {
        DateTime? best = null;

        // (a) wall times of the day, mapped through each offset that is in force around it.
        foreach (var offset in ReferenceZone.OffsetsAround(zone, day))
        {
            var lo = (int)Math.Clamp((start + offset - day).Ticks / TimeSpan.TicksPerSecond, 0, 86400);
            foreach (var sod in SecondsOfDay(lo, 86400))
            {
                var local = day.AddSeconds(sod);
                var utc = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
                if (utc < start || ReferenceZone.Offset(zone, utc) != offset || (IsFixedTime && IsSecondPass(utc, local, zone)))
                {
                    continue;
                }

                if (best is null || utc < best)
                {
                    best = utc;
                }

                break;
            }
        }

        // (b) spring-forward jumps that skip a matching wall time of this day.
        foreach (var gap in GapsTouching(day, zone))
        {
            if (gap.Instant >= start && (best is null || gap.Instant < best))
            {
                best = gap.Instant;
            }
        }

        return best;
    }

    private DateTime? LatestOnDay(DateTime day, TimeZoneInfo zone, DateTime end)
    {
        DateTime? best = null;
        foreach (var offset in ReferenceZone.OffsetsAround(zone, day))
        {
            var hi = (int)Math.Clamp((end + offset - day).Ticks / TimeSpan.TicksPerSecond + 1, 0, 86400);
            foreach (var sod in SecondsOfDayDescending(0, hi))
            {
                var local = day.AddSeconds(sod);
                var utc = DateTime.SpecifyKind(local - offset, DateTimeKind.Utc);
                if (utc > end || ReferenceZone.Offset(zone, utc) != offset || (IsFixedTime && IsSecondPass(utc, local, zone)))
                {
                    continue;
                }

                if (best is null || utc > best)
                {
                    best = utc;
                }

                break;
            }
        }

        foreach (var gap in GapsTouching(day, zone))
        {
            if (gap.Instant <= end && (best is null || gap.Instant > best))
            {
                best = gap.Instant;
            }
        }

        return best;
    }

    /// <summary>The spring-forward transitions whose skipped wall times include a matching time of local day <paramref name="day"/>.</summary>
    private IEnumerable<ReferenceZone.Transition> GapsTouching(DateTime day, TimeZoneInfo zone)
    {
        foreach (var t in ReferenceZone.TransitionsBetween(zone, day.AddDays(-1), day.AddDays(2)))
        {
            if (t.After <= t.Before)
            {
                continue;
            }

            var gapFrom = t.Instant + t.Before;
            var gapTo = t.Instant + t.After;
            var from = gapFrom > day ? gapFrom : day;
            var to = gapTo < day.AddDays(1) ? gapTo : day.AddDays(1);
            if (from < to && AnyMatchIn(DateTime.SpecifyKind(from, DateTimeKind.Unspecified), DateTime.SpecifyKind(to, DateTimeKind.Unspecified)))
            {
                yield return t;
            }
        }
    }
}
