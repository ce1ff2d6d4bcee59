using System.Globalization;
using System.Text;

namespace ChronoFlow;

/// <summary>
/// One value, range or repetition of a calendar event field, as systemd keeps it: <c>start</c>, an inclusive
/// <c>stop</c> (-1 for none) and a <c>repeat</c> step (0 for none). Seconds are in microseconds.
/// </summary>
internal readonly record struct CalendarComponent(int Start, int Stop, int Repeat);

/// <summary>
/// A parsed systemd calendar event (<c>OnCalendar=</c>), normalized the way systemd normalizes it: each field a
/// sorted list of components (<see langword="null"/> for <c>*</c>), weekdays as bits (Monday = bit 0; -1 for any),
/// and where the wall clock is (UTC, a named zone, or the caller's default).
/// </summary>
/// <threadsafety>Immutable.</threadsafety>
internal sealed class CalendarEvent
{
    public const int AnyWeekday = -1;
    public const int MicrosecondsPerSecond = 1_000_000;

    private static readonly string[] s_weekdayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    public CalendarEvent(
        string text,
        int weekdays,
        CalendarComponent[]? year,
        CalendarComponent[]? month,
        CalendarComponent[]? day,
        bool endOfMonth,
        CalendarComponent[]? hour,
        CalendarComponent[]? minute,
        CalendarComponent[]? microsecond,
        bool utc,
        string? zoneName,
        TimeZoneInfo? zone)
    {
        Text = text;
        Weekdays = weekdays;
        Year = year;
        Month = month;
        Day = day;
        EndOfMonth = endOfMonth;
        Hour = hour;
        Minute = minute;
        Microsecond = microsecond;
        IsUtc = utc;
        ZoneName = zoneName;
        Zone = zone;
        Normalized = Format();
    }

    /// <summary>The text as written.</summary>
    public string Text { get; }

    /// <summary>The weekdays as bits, Monday = bit 0 to Sunday = bit 6, or <see cref="AnyWeekday"/>.</summary>
    public int Weekdays { get; }

    public CalendarComponent[]? Year { get; }

    public CalendarComponent[]? Month { get; }

    public CalendarComponent[]? Day { get; }

    /// <summary>Whether <see cref="Day"/> counts from the end of the month (<c>~</c>): 1 is the last day.</summary>
    public bool EndOfMonth { get; }

    public CalendarComponent[]? Hour { get; }

    public CalendarComponent[]? Minute { get; }

    /// <summary>The seconds field in microseconds.</summary>
    public CalendarComponent[]? Microsecond { get; }

    /// <summary>Whether the event runs on UTC (a trailing <c>UTC</c>, or an <c>@</c> timestamp).</summary>
    public bool IsUtc { get; }

    /// <summary>The trailing time zone as written, or <see langword="null"/>.</summary>
    public string? ZoneName { get; }

    /// <summary>The trailing time zone, or <see langword="null"/> when none was written.</summary>
    public TimeZoneInfo? Zone { get; }

    /// <summary>The event as systemd prints its "Normalized form".</summary>
    public string Normalized { get; }

    /// <summary>The zone whose wall clock the event runs on; <see langword="null"/> means UTC.</summary>
    public TimeZoneInfo? EffectiveZone(TimeZoneInfo? defaultZone)
    {
        if (IsUtc)
        {
            return null;
        }

        var zone = Zone ?? defaultZone;
        return zone is null || zone == TimeZoneInfo.Utc ? null : zone;
    }

    public override string ToString() => Normalized;

    /// <summary>systemd's calendar_spec_to_string: weekdays, date, time with microseconds, then the zone.</summary>
    private string Format()
    {
        var sb = new StringBuilder();
        if (Weekdays > 0 && Weekdays <= 127)
        {
            FormatWeekdays(sb, Weekdays);
            sb.Append(' ');
        }

        FormatChain(sb, 4, Year, usec: false);
        sb.Append('-');
        FormatChain(sb, 2, Month, usec: false);
        sb.Append(EndOfMonth ? '~' : '-');
        FormatChain(sb, 2, Day, usec: false);
        sb.Append(' ');
        FormatChain(sb, 2, Hour, usec: false);
        sb.Append(':');
        FormatChain(sb, 2, Minute, usec: false);
        sb.Append(':');
        FormatChain(sb, 2, Microsecond, usec: true);
        if (IsUtc)
        {
            sb.Append(" UTC");
        }
        else if (ZoneName is not null)
        {
            sb.Append(' ').Append(ZoneName);
        }

        return sb.ToString();
    }

    private static void FormatWeekdays(StringBuilder sb, int bits)
    {
        var needComma = false;
        int x, l = -1;
        for (x = 0; x < 7; x++)
        {
            if ((bits & (1 << x)) != 0)
            {
                if (l < 0)
                {
                    if (needComma)
                    {
                        sb.Append(',');
                    }
                    else
                    {
                        needComma = true;
                    }

                    sb.Append(s_weekdayNames[x]);
                    l = x;
                }
            }
            else if (l >= 0)
            {
                if (x > l + 1)
                {
                    sb.Append(x > l + 2 ? ".." : ",").Append(s_weekdayNames[x - 1]);
                }

                l = -1;
            }
        }

        if (l >= 0 && x > l + 1)
        {
            sb.Append(x > l + 2 ? ".." : ",").Append(s_weekdayNames[x - 1]);
        }
    }

    private static void FormatChain(StringBuilder sb, int width, CalendarComponent[]? chain, bool usec)
    {
        var d = usec ? MicrosecondsPerSecond : 1;
        if (chain is null)
        {
            sb.Append('*');
            return;
        }

        if (usec && chain.Length == 1 && chain[0].Start == 0 && chain[0].Stop < 0 && chain[0].Repeat == MicrosecondsPerSecond)
        {
            sb.Append('*');
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        for (var i = 0; i < chain.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var c = chain[i];
            sb.Append((c.Start / d).ToString(width == 4 ? "D4" : "D2", inv));
            if (c.Start % d > 0)
            {
                sb.Append('.').Append((c.Start % d).ToString("D6", inv));
            }

            if (c.Stop > 0)
            {
                sb.Append("..").Append((c.Stop / d).ToString(width == 4 ? "D4" : "D2", inv));
            }

            if (c.Stop % d > 0)
            {
                sb.Append('.').Append((c.Stop % d).ToString("D6", inv));
            }

            if (c.Repeat > 0 && !(c.Stop > 0 && c.Repeat == d))
            {
                sb.Append('/').Append((c.Repeat / d).ToString(inv));
            }

            if (c.Repeat % d > 0)
            {
                sb.Append('.').Append((c.Repeat % d).ToString("D6", inv));
            }
        }
    }
}
