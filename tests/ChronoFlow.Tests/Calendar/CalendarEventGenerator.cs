using System.Globalization;
using System.Text;

namespace ChronoFlow.Tests.Calendar;

/// <summary>
/// Seeded random systemd calendar events over the whole supported syntax: weekday lists and ranges (short and long
/// names, any case), dates with '*', lists, ranges, repetitions and '~', times with and without seconds, fractional
/// seconds, shorthands and trailing zones chosen for their transitions. Some come out invalid on purpose (a step
/// that never repeats, a day 31 in a '~' field), and a few are mutated by a character, so that acceptance is compared
/// too.
/// </summary>
/// <remarks>
/// Left out on purpose, as named differences from systemd (see CalendarParser): '@' timestamps with a sign or
/// blanks, the machine's local zone abbreviations, and zone names only .NET knows.
/// </remarks>
internal sealed class CalendarEventGenerator(int seed)
{
    /// <summary>Zones with gaps and repeats of an hour, half an hour (Lord_Howe), a quarter (Kathmandu, Chatham), at
    /// midnight (Santiago), with negative DST (Dublin) and Ramadan changes (Casablanca); null is "no zone".</summary>
    public static readonly string?[] Zones =
    [
        null, "UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Europe/Dublin",
        "America/Santiago", "Pacific/Chatham", "America/St_Johns", "Europe/London", "Asia/Tehran", "Africa/Casablanca",
        "America/Havana", "Asia/Gaza",
    ];

    private static readonly string[] s_shorthands =
        ["minutely", "hourly", "daily", "weekly", "monthly", "yearly", "annually", "quarterly", "semiannually", "biannually", "semi-annually", "bi-annually", "anually"];

    private static readonly string[] s_days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    private static readonly string[] s_longDays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

    private readonly Random _r = new(seed);

    public string Next(string? zone)
    {
        var text = Body();
        if (zone is not null)
        {
            text += " " + (zone == "UTC" && _r.Next(4) == 0 ? "utc" : zone);
        }

        if (_r.Next(12) == 0)
        {
            text = Mutate(text);
        }

        return text;
    }

    private string Body()
    {
        if (_r.Next(10) == 0)
        {
            var s = s_shorthands[_r.Next(s_shorthands.Length)];
            return _r.Next(3) == 0 ? s.ToUpperInvariant() : s;
        }

        var parts = new List<string>();
        if (_r.Next(3) == 0)
        {
            parts.Add(Weekdays());
        }

        var date = _r.Next(10);
        var hasDate = true;
        if (date < 2)
        {
            hasDate = false;
        }
        else if (date < 6)
        {
            parts.Add($"{Chain(Year, 0.6)}-{Chain(Month, 0.5)}{DaySeparatorAndDay()}");
        }
        else if (date < 8)
        {
            parts.Add($"{Chain(Month, 0.4)}{DaySeparatorAndDay()}");
        }
        else
        {
            parts.Add($"*-*{DaySeparatorAndDay()}");
        }

        if (!hasDate || _r.Next(8) != 0)
        {
            var time = $"{Chain(Hour, 0.3)}:{Chain(Minute, 0.3)}";
            if (_r.Next(2) == 0)
            {
                time += ":" + Seconds();
            }

            parts.Add(time);
        }
        else if (parts.Count == 0)
        {
            parts.Add("*-*-*");
        }

        return string.Join(' ', parts);
    }

    private string Weekdays()
    {
        var items = new List<string>();
        var n = 1 + _r.Next(3);
        for (var k = 0; k < n; k++)
        {
            var a = _r.Next(7);
            if (_r.Next(3) == 0)
            {
                var b = a + _r.Next(7 - a);
                if (_r.Next(20) == 0)
                {
                    (a, b) = (b, a); // sometimes reversed: invalid
                }

                items.Add(Day(a) + (_r.Next(5) == 0 ? "-" : "..") + Day(b));
            }
            else
            {
                items.Add(Day(a));
            }
        }

        var text = string.Join(',', items);
        return _r.Next(15) == 0 ? text + "," : text;
    }

    private string Day(int d)
    {
        var name = _r.Next(4) == 0 ? s_longDays[d] : s_days[d];
        return _r.Next(5) switch
        {
            0 => name.ToLowerInvariant(),
            1 => name.ToUpperInvariant(),
            _ => name,
        };
    }

    private string DaySeparatorAndDay()
    {
        if (_r.Next(5) == 0)
        {
            return "~" + Chain(EndDay, 0.1);
        }

        return "-" + Chain(MonthDay, 0.5);
    }

    private string Chain(Func<string> item, double star)
    {
        if (_r.NextDouble() < star)
        {
            return "*";
        }

        var n = 1 + (_r.Next(4) == 0 ? _r.Next(3) : 0);
        var items = new List<string>();
        for (var k = 0; k < n; k++)
        {
            items.Add(item());
        }

        return string.Join(',', items);
    }

    private string Item(int min, int max, int width)
    {
        var a = _r.Next(min, max + 1);
        var form = _r.Next(10);
        if (form < 5)
        {
            return Num(a, width);
        }

        if (form < 7)
        {
            var b = _r.Next(a, max + 1);
            if (_r.Next(15) == 0)
            {
                b = _r.Next(min, max + 1);
            }

            return $"{Num(a, width)}..{Num(b, width)}";
        }

        var step = 1 + _r.Next(Math.Max(1, (max - min) / 2));
        if (form < 9)
        {
            return $"{Num(a, width)}/{step}";
        }

        return $"{Num(a, width)}..{Num(_r.Next(a, max + 1), width)}/{step}";
    }

    private string Num(int v, int width) => _r.Next(2) == 0 ? v.ToString(CultureInfo.InvariantCulture) : v.ToString(new string('0', width), CultureInfo.InvariantCulture);

    private string Year() => _r.Next(5) == 0 ? Num(_r.Next(20, 40), 2) : Item(2020, 2040, 4);

    private string Month() => Item(1, 12, 2);

    private string MonthDay() => Item(1, 31, 2);

    private string EndDay() => Item(1, 28, 2);

    private string Hour() => Item(0, 23, 2);

    private string Minute() => Item(0, 59, 2);

    private string Seconds()
    {
        if (_r.Next(4) == 0)
        {
            return "*";
        }

        if (_r.Next(6) == 0)
        {
            // Fractional seconds: a value, or a fractional step.
            var whole = _r.Next(60);
            var fraction = _r.Next(3) switch { 0 => ".5", 1 => ".25", _ => ".123456789" };
            return _r.Next(2) == 0 ? $"{whole}{fraction}" : $"{_r.Next(10)}/{1 + _r.Next(20)}{fraction}";
        }

        return Chain(() => Item(0, 59, 2), 0);
    }

    private string Mutate(string text)
    {
        const string Alphabet = "0123456789*-~:.,/ ";
        var sb = new StringBuilder(text);
        var at = _r.Next(sb.Length + 1);
        switch (_r.Next(3))
        {
            case 0:
                sb.Insert(at, Alphabet[_r.Next(Alphabet.Length)]);
                break;
            case 1 when at < sb.Length:
                sb.Remove(at, 1);
                break;
            default:
                if (at < sb.Length)
                {
                    sb[at] = Alphabet[_r.Next(Alphabet.Length)];
                }

                break;
        }

        return sb.ToString();
    }
}
