using System.Globalization;
using System.Numerics;
using System.Text;

namespace ChronoFlow;

/// <summary>
/// Writes the canonical text of an expression: it parses back, with the format it was parsed with, to an
/// equal value. Full fields print as <c>*</c>, progressions from the field's start as <c>*/n</c>, runs of three or
/// more as ranges; the fixed-time property and the way the day fields combine are kept.
/// </summary>
internal static class CronFormatter
{
    public static string Format(in CronExpression e)
    {
        if ((e.Flags & CronFlags.Parsed) == 0)
        {
            return string.Empty;
        }

        var withSeconds = (e.Flags & CronFlags.FormatSeconds) != 0;
        if (!withSeconds && e.Seconds != 1)
        {
            return "@every_second"; // the only way a five-field expression fires off second 0
        }

        var sb = new StringBuilder(48);
        var plain = (e.Flags & CronFlags.FixedTime) != 0;
        var timeStart = sb.Length;
        if (withSeconds)
        {
            AppendSet(sb, e.Seconds, 0, 59, plain, star: true).Append(' ');
        }

        AppendSet(sb, e.Minutes, 0, 59, plain, star: true).Append(' ');
        AppendSet(sb, e.Hours, 0, 23, plain, star: true);
        if (!plain)
        {
            KeepInterval(sb, timeStart);
        }

        sb.Append(' ');
        if ((e.Flags & CronFlags.FormatQuartz) != 0)
        {
            AppendQuartzDays(sb, in e);
        }
        else
        {
            AppendDays(sb, in e);
        }

        if ((e.Flags & CronFlags.FormatYear) != 0)
        {
            sb.Append(' ');
            if ((e.Flags & CronFlags.AnyYear) != 0)
            {
                sb.Append('*');
            }
            else
            {
                AppendYears(sb, in e);
            }
        }

        return sb.ToString();
    }

    /// <summary>Day-of-month, month and day-of-week in the crontab dialect.</summary>
    private static void AppendDays(StringBuilder sb, in CronExpression e)
    {
        var dayOr = (e.Flags & CronFlags.DayOr) != 0;
        var intersect = (e.Flags & CronFlags.FormatIntersect) != 0;
        var domFull = e.DaysOfMonth == CronConstants.AllDays && (e.Flags & CronFlags.DayOfMonthSpecials) == 0;
        var dowFull = e.DaysOfWeek == CronConstants.AllWeekdays && (e.Flags & CronFlags.DayOfWeekSpecials) == 0;

        // Under the Vixie rule a field that starts with * or ? is unrestricted: print it so only when that keeps the meaning.
        var mustStarDom = !dayOr && !intersect && !domFull && !dowFull && (e.Flags & CronFlags.DayOfMonthStar) != 0;
        var mustStarDow = !dayOr && !intersect && !domFull && !dowFull && !mustStarDom;
        AppendDaysOfMonth(sb, in e, star: !dayOr, mustStar: mustStarDom).Append(' ');
        AppendSet(sb, e.Months, 1, 12, plain: false, star: true).Append(' ');
        AppendDaysOfWeek(sb, in e, star: !dayOr, mustStar: mustStarDow);
    }

    /// <summary>
    /// Day-of-month, month and day-of-week in Quartz.NET's dialect: an unrestricted day field is <c>?</c> (both
    /// <c>* ?</c> when every day matches), any other text restricts its field (<c>*/2</c> included), and weekdays
    /// are numbered 1-7 from Sunday.
    /// </summary>
    private static void AppendQuartzDays(StringBuilder sb, in CronExpression e)
    {
        var domFull = e.DaysOfMonth == CronConstants.AllDays && (e.Flags & CronFlags.DayOfMonthSpecials) == 0;
        var dowFull = e.DaysOfWeek == CronConstants.AllWeekdays && (e.Flags & CronFlags.DayOfWeekSpecials) == 0;
        if (domFull)
        {
            sb.Append(dowFull ? '*' : '?');
        }
        else
        {
            AppendDaysOfMonth(sb, in e, star: true, mustStar: false);
        }

        sb.Append(' ');
        AppendSet(sb, e.Months, 1, 12, plain: false, star: true).Append(' ');
        if (dowFull)
        {
            sb.Append('?');
            return;
        }

        var mark = sb.Length;
        if (e.DaysOfWeek != 0)
        {
            AppendSet(sb, (ulong)e.DaysOfWeek << 1, 1, 7, plain: false, star: true);
        }

        for (uint bits = e.LastWeekdays; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            sb.Append(BitOperations.TrailingZeroCount(bits) + 1).Append('L');
        }

        for (var bits = e.NthWeekdays; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            var bit = BitOperations.TrailingZeroCount(bits);
            sb.Append((bit % 7) + 1).Append('#').Append((bit / 7) + 1);
        }
    }

    /// <summary>An interval expression must show *, - or / in a time field; make the first value a range of one.</summary>
    private static void KeepInterval(StringBuilder sb, int start)
    {
        for (var i = start; i < sb.Length; i++)
        {
            if (sb[i] is '*' or '-' or '/')
            {
                return;
            }
        }

        var end = start;
        while (end < sb.Length && char.IsAsciiDigit(sb[end]))
        {
            end++;
        }

        var value = sb.ToString(start, end - start);
        sb.Insert(end, "-" + value);
    }

    private static StringBuilder AppendDaysOfMonth(StringBuilder sb, in CronExpression e, bool star, bool mustStar)
    {
        var plainDays = e.DaysOfMonth;
        var mark = sb.Length;
        if (mustStar)
        {
            sb.Append(StarStep(plainDays, 1, 31, out var covered));
            plainDays &= (uint)~covered;
        }

        if ((e.Flags & CronFlags.DayOfMonthSpecials) == 0)
        {
            if (sb.Length == mark || plainDays != 0)
            {
                Separate(sb, mark);
                AppendSet(sb, plainDays, 1, 31, plain: false, star: star && !mustStar);
            }

            return sb;
        }

        if (plainDays != 0)
        {
            Separate(sb, mark);
            AppendSet(sb, plainDays, 1, 31, plain: false, star: false);
        }

        for (var bits = e.LastDayOffsets; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            var n = BitOperations.TrailingZeroCount(bits);
            sb.Append(n == 0 ? "L" : "L-" + n.ToString(CultureInfo.InvariantCulture));
        }

        for (var bits = e.LastDayOffsetsWeekday; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            var n = BitOperations.TrailingZeroCount(bits);
            sb.Append(n == 0 ? "LW" : "L-" + n.ToString(CultureInfo.InvariantCulture) + "W");
        }

        for (var bits = e.NearestWeekdays; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            sb.Append(BitOperations.TrailingZeroCount(bits)).Append('W');
        }

        return sb;
    }

    private static void AppendDaysOfWeek(StringBuilder sb, in CronExpression e, bool star, bool mustStar)
    {
        ulong plainDays = e.DaysOfWeek;
        var mark = sb.Length;
        if (mustStar)
        {
            // */7 is Sunday alone (0 and 7); any other progression from Sunday prints as */n.
            sb.Append(StarStep(plainDays, 0, 6, out var covered));
            plainDays &= ~covered;
        }

        if ((e.Flags & CronFlags.DayOfWeekSpecials) == 0)
        {
            if (sb.Length == mark || plainDays != 0)
            {
                Separate(sb, mark);
                AppendSet(sb, plainDays, 0, 6, plain: false, star: star && !mustStar);
            }

            return;
        }

        if (plainDays != 0)
        {
            Separate(sb, mark);
            AppendSet(sb, plainDays, 0, 6, plain: false, star: false);
        }

        for (uint bits = e.LastWeekdays; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            sb.Append(BitOperations.TrailingZeroCount(bits)).Append('L');
        }

        for (var bits = e.NthWeekdays; bits != 0; bits &= bits - 1)
        {
            Separate(sb, mark);
            var bit = BitOperations.TrailingZeroCount(bits);
            sb.Append(bit % 7).Append('#').Append((bit / 7) + 1);
        }
    }

    /// <summary>
    /// The largest <c>*/n</c> whose values all lie in <paramref name="bits"/>; a starred day field always holds its
    /// first value, so <c>*/max</c> (that value alone) is the fallback.
    /// </summary>
    private static string StarStep(ulong bits, int min, int max, out ulong covered)
    {
        for (var step = 1; step <= max; step++)
        {
            ulong set = 0;
            for (var v = min; v <= max; v += step)
            {
                set |= 1UL << v;
            }

            if ((set & bits) == set)
            {
                covered = set;
                return step == 1 ? "*" : "*/" + step.ToString(CultureInfo.InvariantCulture);
            }
        }

        covered = 1UL << min;
        return "*/" + (max + (min == 0 ? 1 : 0)).ToString(CultureInfo.InvariantCulture);
    }

    private static void Separate(StringBuilder sb, int mark)
    {
        if (sb.Length > mark)
        {
            sb.Append(',');
        }
    }

    private static StringBuilder AppendSet(StringBuilder sb, ulong bits, int min, int max, bool plain, bool star)
    {
        var full = ((2UL << max) - 1) & ~((1UL << min) - 1);
        if (!plain && star)
        {
            if (bits == full)
            {
                return sb.Append('*');
            }

            // A progression from the field's start to its end: */n.
            var first = BitOperations.TrailingZeroCount(bits);
            var count = BitOperations.PopCount(bits);
            if (first == min && count >= 2)
            {
                var rest = bits & (bits - 1);
                var step = BitOperations.TrailingZeroCount(rest) - min;
                ulong progression = 0;
                for (var v = min; v <= max; v += step)
                {
                    progression |= 1UL << v;
                }

                if (progression == bits)
                {
                    return sb.Append("*/").Append(step);
                }
            }
        }

        var separator = false;
        for (var v = min; v <= max; v++)
        {
            if ((bits >> v & 1) == 0)
            {
                continue;
            }

            var end = v;
            while (end < max && (bits >> (end + 1) & 1) != 0)
            {
                end++;
            }

            if (separator)
            {
                sb.Append(',');
            }

            separator = true;
            if (!plain && end - v >= 2)
            {
                sb.Append(v).Append('-').Append(end);
                v = end;
            }
            else
            {
                sb.Append(v);
            }
        }

        return sb;
    }

    private static void AppendYears(StringBuilder sb, in CronExpression e)
    {
        var separator = false;
        for (var y = CronConstants.MinYear; y <= CronConstants.MaxYear; y++)
        {
            if (!e.IsYearAllowed(y))
            {
                continue;
            }

            var end = y;
            while (end < CronConstants.MaxYear && e.IsYearAllowed(end + 1))
            {
                end++;
            }

            if (separator)
            {
                sb.Append(',');
            }

            separator = true;
            if (end - y >= 2)
            {
                sb.Append(y).Append('-').Append(end);
                y = end;
            }
            else
            {
                sb.Append(y);
            }
        }
    }
}
