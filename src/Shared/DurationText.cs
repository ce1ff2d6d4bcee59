using System.Globalization;

namespace ChronoFlow.Text;

/// <summary>
/// Reads the durations of definition files: a .NET constant time span (<c>00:10:00</c>, <c>1.02:00:00</c>) or an
/// ISO 8601 duration (<c>PT10M</c>, <c>P1DT2H</c>, <c>PT1.5S</c>, <c>P2W</c>). Years and months are refused
/// because their length varies.
/// </summary>
internal static class DurationText
{
    /// <summary>Returns <see langword="null"/> on success, otherwise the reason.</summary>
    public static string? TryParse(string text, out TimeSpan value)
    {
        value = default;
        if (text.Length == 0)
        {
            return "is empty; expected a duration such as \"00:10:00\" or \"PT10M\"";
        }

        if (text[0] is 'P' or 'p')
        {
            return TryParseIso(text, out value);
        }

        // A colon is required: the "c" format would read a bare "10" as ten days.
        if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out value))
        {
            return null;
        }

        return $"\"{text}\" is not a duration; expected \"hh:mm:ss\" (such as \"00:10:00\") or ISO 8601 (such as \"PT10M\")";
    }

    private static string? TryParseIso(string text, out TimeSpan value)
    {
        value = default;
        var ticks = 0m;
        var inTime = false;
        var any = false;
        var lastRank = -1;
        var i = 1;
        while (i < text.Length)
        {
            var c = char.ToUpperInvariant(text[i]);
            if (c == 'T')
            {
                if (inTime)
                {
                    return $"\"{text}\" has a second 'T'";
                }

                inTime = true;
                i++;
                if (i == text.Length)
                {
                    return $"\"{text}\" ends after 'T'; expected hours, minutes or seconds";
                }

                continue;
            }

            var start = i;
            while (i < text.Length && (char.IsAsciiDigit(text[i]) || text[i] is '.' or ','))
            {
                i++;
            }

            if (i == start || i == text.Length)
            {
                return $"\"{text}\" is not an ISO 8601 duration; expected a number and a unit at index {start}";
            }

            var number = text.AsSpan(start, i - start).ToString().Replace(',', '.');
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return $"\"{text}\" has a bad number \"{number}\"";
            }

            var unit = char.ToUpperInvariant(text[i]);
            int rank;
            decimal unitTicks;
            switch (unit)
            {
                case 'Y' when !inTime:
                case 'M' when !inTime:
                    return $"\"{text}\" uses years or months, whose length varies; use weeks, days or hours";
                case 'W' when !inTime:
                    rank = 0;
                    unitTicks = TimeSpan.TicksPerDay * 7;
                    break;
                case 'D' when !inTime:
                    rank = 1;
                    unitTicks = TimeSpan.TicksPerDay;
                    break;
                case 'H' when inTime:
                    rank = 2;
                    unitTicks = TimeSpan.TicksPerHour;
                    break;
                case 'M' when inTime:
                    rank = 3;
                    unitTicks = TimeSpan.TicksPerMinute;
                    break;
                case 'S' when inTime:
                    rank = 4;
                    unitTicks = TimeSpan.TicksPerSecond;
                    break;
                default:
                    return $"\"{text}\" has unit '{text[i]}' in the wrong place";
            }

            if (rank <= lastRank)
            {
                return $"\"{text}\" has its units out of order or repeated";
            }

            lastRank = rank;
            any = true;
            ticks += amount * unitTicks;
            if (ticks > TimeSpan.MaxValue.Ticks)
            {
                return $"\"{text}\" is too long";
            }

            i++;
        }

        if (!any)
        {
            return $"\"{text}\" has no amount; expected something like \"PT10M\"";
        }

        value = TimeSpan.FromTicks((long)decimal.Round(ticks));
        return null;
    }
}
