using System.Globalization;

namespace ChronoFlow;

/// <summary>
/// The one reading of schedule text shared by <see cref="Schedule.Parse(string, TimeZoneInfo?)"/> and the job-file
/// validator: how many cron fields it has, and whether it is an ISO 8601 instant with an explicit offset. Kept in one
/// place so that a file is validated by the same rules it is later scheduled by.
/// </summary>
internal static class ScheduleSyntax
{
    private static readonly string[] s_instantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
    ];

    /// <summary>The number of blank-separated fields.</summary>
    public static int CountFields(ReadOnlySpan<char> text)
    {
        var count = 0;
        var inField = false;
        foreach (var c in text)
        {
            var separator = c is ' ' or '\t';
            if (!separator && !inField)
            {
                count++;
            }

            inField = !separator;
        }

        return count;
    }

    /// <summary>The index at which the field numbered <paramref name="field"/> (from 0) starts, or the length when there is none.</summary>
    public static int FieldStart(ReadOnlySpan<char> text, int field)
    {
        var count = -1;
        var inField = false;
        for (var i = 0; i < text.Length; i++)
        {
            var separator = text[i] is ' ' or '\t';
            if (!separator && !inField && ++count == field)
            {
                return i;
            }

            inField = !separator;
        }

        return text.Length;
    }

    /// <summary>One word that starts like a date (<c>2025-</c>): an instant, not a cron expression.</summary>
    public static bool LooksLikeInstant(ReadOnlySpan<char> text)
        => text.Length >= 10
        && char.IsAsciiDigit(text[0])
        && char.IsAsciiDigit(text[3])
        && text[4] == '-'
        && text.IndexOfAny(' ', '\t') < 0;

    /// <summary>The note for a systemd calendar event read as cron, after the reason.</summary>
    public const string CalendarHint = "; the text looks like a systemd calendar event (OnCalendar= syntax), not a cron expression: read it with Schedule.Calendar";

    /// <summary>
    /// Whether the text is a valid systemd calendar event; only on the failure path of a cron parse, to say so (a cron
    /// expression never is one: it has five or more words, an event at most four).
    /// </summary>
    public static bool LooksLikeCalendar(ReadOnlySpan<char> text)
        => !text.Trim().IsEmpty && CalendarParser.TryParse(text.Trim().ToString(), out _, out _);

    /// <summary>Whether the time part ends with <c>Z</c> or an offset <c>+hh:mm</c>/<c>-hh:mm</c>; without one the instant is ambiguous.</summary>
    public static bool HasExplicitOffset(ReadOnlySpan<char> text)
    {
        var t = text.IndexOf('T');
        if (t < 0)
        {
            return false;
        }

        return text[^1] is 'Z' or 'z'
            || (text.Length >= t + 7 && text[^6] is '+' or '-' && text[^3] == ':');
    }

    /// <summary>Parses an ISO 8601 instant that has an explicit offset.</summary>
    public static bool TryParseInstant(ReadOnlySpan<char> text, out DateTimeOffset at)
    {
        at = default;
        return HasExplicitOffset(text)
            && DateTimeOffset.TryParseExact(text, s_instantFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out at);
    }
}
