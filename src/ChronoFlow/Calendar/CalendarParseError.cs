using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>What is wrong with a calendar event; <see cref="None"/> when nothing is.</summary>
internal enum CalendarParseErrorCode
{
    None,
    Empty,
    UnexpectedCharacter,
    UnexpectedEnd,
    NumberExpected,
    NumberTooLarge,
    ZeroRepetition,
    WeekdayExpected,
    WeekdayRangeReversed,
    WeekdayRangeOpen,
    WeekdayRangeChained,
    ValueOutOfRange,
    RepetitionTooLarge,
    EmptyRange,
    RepetitionNeverRepeats,
    EndOfMonthNotBeforeDay,
    TooManyItems,
    RelativeTime,
    LooksLikeCron,
    CronMacro,
}

/// <summary>Which part of an event a value belongs to, for the messages.</summary>
internal enum CalendarField
{
    None,
    Year,
    Month,
    Day,
    Hour,
    Minute,
    Second,
    Weekday,
    Timestamp,
}

/// <summary>A parse failure: the code, the field, and the 0-based position and length of the offending text.</summary>
internal readonly struct CalendarParseError(CalendarParseErrorCode code, int position, int length = 1, CalendarField field = CalendarField.None)
{
    public readonly CalendarParseErrorCode Code = code;
    public readonly int Position = position;
    public readonly int Length = length;
    public readonly CalendarField Field = field;

    public bool IsError => Code != CalendarParseErrorCode.None;
}

/// <summary>Builds and throws calendar exceptions off the hot paths.</summary>
internal static class CalendarThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowFormatException(string text, CalendarParseError error) => throw CreateFormatException(text, error);

    /// <summary>Turns a parse error into the exception with its message.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static CalendarFormatException CreateFormatException(string text, CalendarParseError error)
        => new($"{Describe(text, error)} (at position {error.Position} of \"{text}\")", error.Position);

    /// <summary>The message for a parse error, without the position suffix.</summary>
    public static string Describe(string text, CalendarParseError error)
    {
        var start = Math.Clamp(error.Position, 0, text.Length);
        var token = text.Substring(start, Math.Clamp(error.Length, 0, text.Length - start));
        var field = error.Field switch
        {
            CalendarField.Year => "year",
            CalendarField.Month => "month",
            CalendarField.Day => "day",
            CalendarField.Hour => "hour",
            CalendarField.Minute => "minute",
            CalendarField.Second => "second",
            CalendarField.Weekday => "weekday",
            CalendarField.Timestamp => "@timestamp",
            _ => "event",
        };

        return error.Code switch
        {
            CalendarParseErrorCode.Empty => "the calendar event is empty",
            CalendarParseErrorCode.UnexpectedCharacter => $"{field}: unexpected character '{token}'",
            CalendarParseErrorCode.UnexpectedEnd => $"{field}: the event ends too early (a time needs hour:minute)",
            CalendarParseErrorCode.NumberExpected => token.Length == 0 ? $"{field}: a number is missing at the end" : $"{field}: expected a number or '*' but found '{token}'",
            CalendarParseErrorCode.NumberTooLarge => $"{field}: the number {token} is too large",
            CalendarParseErrorCode.ZeroRepetition => $"{field}: the repetition /{token} must be positive",
            CalendarParseErrorCode.WeekdayExpected => $"weekday: expected a weekday name (Mon..Sun) but found '{token}'",
            CalendarParseErrorCode.WeekdayRangeReversed => $"weekday: the range ends at {token}, before it starts (weekdays run Mon..Sun)",
            CalendarParseErrorCode.WeekdayRangeOpen => "weekday: the range has no end",
            CalendarParseErrorCode.WeekdayRangeChained => "weekday: a range has only two ends",
            CalendarParseErrorCode.ValueOutOfRange => $"{field}: {token} is out of range {RangeOf(error.Field)}",
            CalendarParseErrorCode.RepetitionTooLarge => $"{field}: the repetition in {token} is larger than the field's range {RangeOf(error.Field)}",
            CalendarParseErrorCode.EmptyRange => $"{field}: the range {token} is empty (it ends before its first repetition)",
            CalendarParseErrorCode.RepetitionNeverRepeats => $"{field}: {token} never repeats within {RangeOf(error.Field)}",
            CalendarParseErrorCode.EndOfMonthNotBeforeDay => "'~' (days from the end of the month) may only separate the month from the day",
            CalendarParseErrorCode.TooManyItems => $"{field}: more than 241 list items",
            CalendarParseErrorCode.RelativeTime => $"'{token}' is a point in time, not a repeating calendar event; write a date such as 2026-03-01 12:00 or use Schedule.Once",
            CalendarParseErrorCode.LooksLikeCron => "this looks like a cron expression, not a systemd calendar event; use Schedule.Cron for cron expressions (the calendar form of '0 5 * * *' is '*-*-* 05:00')",
            CalendarParseErrorCode.CronMacro => $"'{token}' is a cron macro, not a systemd calendar event; use Schedule.Cron, or the calendar shorthand without '@' (such as daily)",
            _ => "the calendar event is not valid",
        };
    }

    private static string RangeOf(CalendarField field) => field switch
    {
        CalendarField.Year => "1970-2199",
        CalendarField.Month => "1-12",
        CalendarField.Day => "1-31 (1-28 counted from the end of the month)",
        CalendarField.Hour => "0-23",
        CalendarField.Minute => "0-59",
        CalendarField.Second => "0-59.999999",
        CalendarField.Timestamp => "1970-2199",
        _ => "of the field",
    };
}
