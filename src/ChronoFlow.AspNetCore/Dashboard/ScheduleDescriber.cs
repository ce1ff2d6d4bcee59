using System.Globalization;

namespace ChronoFlow.AspNetCore.Dashboard;

/// <summary>
/// Puts the common shapes of schedules into plain words ("every 15 minutes", "at 08:00 on Monday to Friday") and
/// returns <see langword="null"/> for anything else, so the dashboard shows the text as written instead.
/// </summary>
internal static class ScheduleDescriber
{
    private static readonly string[] s_days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
    private static readonly string[] s_dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    /// <summary>Splits the engine's text of a schedule into the text as written and its zone suffix, " (Zone/Id)".</summary>
    public static (string Text, string? Zone) SplitZone(Schedule schedule)
    {
        var text = schedule.ToString();
        if (schedule.Kind is ScheduleKind.Cron or ScheduleKind.Calendar && text.EndsWith(')') && text.LastIndexOf(" (", StringComparison.Ordinal) is var open and > 0)
        {
            return (text[..open], text[(open + 2)..^1]);
        }

        return (text, null);
    }

    public static string? Describe(ScheduleKind kind, string text) => kind switch
    {
        ScheduleKind.Startup => "once, when the scheduler starts",
        ScheduleKind.Once => "once, at " + text,
        ScheduleKind.Interval => DescribeInterval(text),
        ScheduleKind.Calendar => DescribeKeyword(text),
        ScheduleKind.Cron => DescribeKeyword(text) ?? DescribeCron(text),
        _ => null,
    };

    private static string? DescribeInterval(string text)
    {
        // "@every d.hh:mm:ss[.fffffff]", perhaps followed by " from ..." or " jitter ...".
        const string Prefix = "@every ";
        if (!text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var end = text.IndexOf(' ', Prefix.Length);
        var span = end < 0 ? text[Prefix.Length..] : text[Prefix.Length..end];
        if (!TimeSpan.TryParseExact(span, "c", CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero)
        {
            return null;
        }

        var words = Every(interval);
        return words is null ? null : end < 0 ? words : words + text[end..];
    }

    private static string? Every(TimeSpan interval)
    {
        if (interval.Ticks % TimeSpan.TicksPerDay == 0)
        {
            return Plural((long)interval.TotalDays, "day");
        }

        if (interval.Ticks % TimeSpan.TicksPerHour == 0)
        {
            return Plural((long)interval.TotalHours, "hour");
        }

        if (interval.Ticks % TimeSpan.TicksPerMinute == 0)
        {
            return Plural((long)interval.TotalMinutes, "minute");
        }

        return interval.Ticks % TimeSpan.TicksPerSecond == 0 ? Plural((long)interval.TotalSeconds, "second") : null;
    }

    private static string Plural(long n, string unit) => n == 1 ? "every " + unit : $"every {n.ToString(CultureInfo.InvariantCulture)} {unit}s";

    private static string? DescribeKeyword(string text) => text.ToLowerInvariant() switch
    {
        "minutely" => "every minute",
        "@hourly" or "hourly" => "every hour, on the hour",
        "@daily" or "@midnight" or "daily" => "every day at 00:00",
        "@weekly" or "weekly" => "every week, on Sunday at 00:00",
        "@monthly" or "monthly" => "every month, on the 1st at 00:00",
        "@yearly" or "@annually" or "yearly" or "annually" => "every year, on 1 January at 00:00",
        _ => null,
    };

    private static string? DescribeCron(string text)
    {
        var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string second;
        if (fields.Length == 6)
        {
            second = fields[0];
            fields = fields[1..];
        }
        else if (fields.Length == 5)
        {
            second = "0";
        }
        else
        {
            return null;
        }

        var (minute, hour, dom, month, dow) = (fields[0], fields[1], fields[2], fields[3], fields[4]);
        var anyDay = IsAny(dom) && IsAny(dow);
        if (month != "*")
        {
            return null;
        }

        if (anyDay && minute == "*" && hour == "*")
        {
            return second switch
            {
                "*" => "every second",
                "0" => "every minute",
                _ when Step(second) is { } s => $"every {s} seconds",
                _ => null,
            };
        }

        if (second != "0" && !(Number(second, 59) is not null && Number(minute, 59) is not null && Number(hour, 23) is not null))
        {
            return null;
        }

        if (anyDay && hour == "*")
        {
            if (Step(minute) is { } m)
            {
                return $"every {m} minutes";
            }

            return Number(minute, 59) is { } at ? (at == 0 ? "every hour, on the hour" : $"every hour at {at} minutes past") : null;
        }

        if (anyDay && Step(hour) is { } h && Number(minute, 59) is { } minuteOfHour)
        {
            return $"every {h} hours at {minuteOfHour:00} minutes past";
        }

        if (Number(hour, 23) is not { } hh || Number(minute, 59) is not { } mm)
        {
            return null;
        }

        var time = second == "0" ? $"{hh:00}:{mm:00}" : $"{hh:00}:{mm:00}:{Number(second, 59):00}";
        if (anyDay)
        {
            return "every day at " + time;
        }

        if (IsAny(dom) && Days(dow, quartz: text.Contains('?', StringComparison.Ordinal)) is { } days)
        {
            return $"at {time} on {days}";
        }

        if (IsAny(dow) && Number(dom, 31) is { } day)
        {
            return $"at {time} on day {day} of every month";
        }

        return null;
    }

    private static bool IsAny(string field) => field is "*" or "?";

    private static int? Number(string field, int max)
        => int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= max ? n : null;

    private static int? Step(string field)
        => field.StartsWith("*/", StringComparison.Ordinal) && int.TryParse(field.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 1 ? n : null;

    // "MON-FRI" → "Monday to Friday"; "MON,WED,FRI" → "Monday, Wednesday and Friday". Numbers are read as standard cron
    // (0 or 7 is Sunday) unless the expression is Quartz's (a '?' field), where 1 is Sunday.
    private static string? Days(string field, bool quartz)
    {
        var parts = field.Split(',');
        var words = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            var dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash < 0)
            {
                if (Day(part, quartz) is not { } single)
                {
                    return null;
                }

                words.Add(s_days[single]);
            }
            else if (Day(part[..dash], quartz) is { } from && Day(part[(dash + 1)..], quartz) is { } to)
            {
                words.Add($"{s_days[from]} to {s_days[to]}");
            }
            else
            {
                return null;
            }
        }

        return words.Count == 1 ? words[0] : string.Join(", ", words.Take(words.Count - 1)) + " and " + words[^1];
    }

    private static int? Day(string token, bool quartz)
    {
        var named = Array.IndexOf(s_dayNames, token.ToUpperInvariant());
        if (named >= 0)
        {
            return named;
        }

        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        return quartz ? (n is >= 1 and <= 7 ? n - 1 : null) : (n is >= 0 and <= 7 ? n % 7 : null);
    }
}
