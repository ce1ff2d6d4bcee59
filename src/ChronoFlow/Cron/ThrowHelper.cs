using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ChronoFlow;

/// <summary>Builds and throws exceptions off the hot paths, so that callers stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowCronFormatException(ReadOnlySpan<char> text, CronFormat format, CronParseError error)
        => throw CreateCronFormatException(text, format, error);

    /// <summary>Turns a parse error into the exception with its message; only on the failure path of Parse.</summary>
    /// <param name="text">The expression.</param>
    /// <param name="format">The format it was read in.</param>
    /// <param name="error">What is wrong and where.</param>
    /// <param name="hint">
    /// A note from a later stage that knows more (the schedule reader: the text is a systemd calendar event), put in
    /// place of this stage's own dialect note; <see langword="null"/> for none.
    /// </param>
    /// <returns>The exception, to throw or hand back.</returns>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static CronFormatException CreateCronFormatException(ReadOnlySpan<char> text, CronFormat format, CronParseError error, string? hint = null)
    {
        var token = Token(text, error);
        var field = CronFieldInfo.Name(error.Field);
        var detail = error.Code switch
        {
            CronParseErrorCode.Empty => "the expression is empty",
            CronParseErrorCode.FieldCount => $"expected {ExpectedFields(format)} but found {error.Found} field{(error.Found == 1 ? "" : "s")}",
            CronParseErrorCode.UnexpectedCharacter => $"{field}: unexpected character '{token}'",
            CronParseErrorCode.MissingValue => $"{field}: a number is missing",
            CronParseErrorCode.OutOfRange => $"{field}: {token} is out of range {CronFieldInfo.Min(error.Field)}-{CronFieldInfo.Max(error.Field)}",
            CronParseErrorCode.UnknownName => $"{field}: unknown name '{token}'",
            CronParseErrorCode.NameInWrongField => $"{field}: the name '{token}' does not belong in this field",
            CronParseErrorCode.StepOutOfRange => $"{field}: step {token} is out of range 1-{CronFieldInfo.Max(error.Field)}",
            CronParseErrorCode.EmptyItem => $"{field}: empty list item",
            CronParseErrorCode.QuestionNotAllowed => $"{field}: '?' is allowed only in day-of-month and day-of-week",
            CronParseErrorCode.SpecialTakesNoRangeOrStep => $"{field}: L, W and # take no range or step",
            CronParseErrorCode.LastNeedsWeekday => $"{field}: 'L' needs a weekday before it, such as 5L for the last Friday",
            CronParseErrorCode.NthOutOfRange => $"{field}: #{token} is out of range: the occurrence in n#k is 1-5",
            CronParseErrorCode.LastOffsetOutOfRange => $"{field}: L-{token} is out of range: the offset is 0-30",
            CronParseErrorCode.UnknownMacro => $"unknown macro '{token}'; expected @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every_minute or @every_second",
            CronParseErrorCode.RebootIsNotCron => "@reboot is not a cron expression: it runs once at start-up (use Schedule.Startup or Schedule.Parse)",
            CronParseErrorCode.HashNotAllowed when (format & CronFormat.Quartz) != 0 => $"{field}: H is not part of Quartz.NET's dialect",
            CronParseErrorCode.HashNotAllowed => $"{field}: H is not allowed in this field",
            CronParseErrorCode.HashRangeMalformed => $"{field}: H takes a range written H(a-b)",
            CronParseErrorCode.TextAfterMacro => $"unexpected text '{token}' after the macro",
            _ => "the expression is not valid",
        };

        return new CronFormatException($"{detail}{hint ?? DialectHint(text, format, error)} (at position {error.Position} of \"{text.ToString()}\")", error.Position);
    }

    /// <summary>
    /// A note when the text looks written for the other dialect: Quartz.NET's (seconds first, <c>?</c>, weekdays 1-7)
    /// read as crontab, or a crontab line read as Quartz's; also Quartz's numbering where a number is out of range.
    /// </summary>
    private static string DialectHint(ReadOnlySpan<char> text, CronFormat format, CronParseError error)
    {
        if ((format & CronFormat.Quartz) != 0)
        {
            return error switch
            {
                { Code: CronParseErrorCode.FieldCount, Found: 5 } => "; Quartz.NET's dialect needs a seconds field first (a five-field crontab line reads with CronFormat.Standard)",
                { Code: CronParseErrorCode.OutOfRange, Field: CronField.QuartzDayOfWeek } => " (Quartz.NET numbers the days 1 = Sunday to 7 = Saturday; crontab's 0-6 reads with CronFormat.Standard)",
                { Code: CronParseErrorCode.OutOfRange, Field: CronField.Year } => " (Quartz.NET reads years up to 2126; ChronoFlow's year field ends at 2099)",
                _ => string.Empty,
            };
        }

        return LooksLikeQuartz(text)
            ? "; the text looks like Quartz.NET's dialect (a seconds field first, '?' in a day field, day-of-week 1-7 from Sunday): parse it with CronFormat.Quartz"
            : string.Empty;
    }

    /// <summary>Six or seven fields with a lone <c>?</c> in a day field, or a lone <c>L</c> (Saturday) in day-of-week.</summary>
    private static bool LooksLikeQuartz(ReadOnlySpan<char> text)
    {
        Span<Range> fields = stackalloc Range[9];
        var count = text.Trim().SplitAny(fields, " \t", StringSplitOptions.RemoveEmptyEntries);
        if (count is not (6 or 7))
        {
            return false;
        }

        var trimmed = text.Trim();
        var dom = trimmed[fields[3]];
        var dow = trimmed[fields[5]];
        return dom.SequenceEqual("?") || dow.SequenceEqual("?") || dow.Equals("L", StringComparison.OrdinalIgnoreCase);
    }

    private static string Token(ReadOnlySpan<char> text, CronParseError error)
    {
        var start = Math.Clamp(error.Position, 0, text.Length);
        var length = Math.Clamp(error.Length, 0, text.Length - start);
        return text.Slice(start, length).ToString();
    }

    private static string ExpectedFields(CronFormat format)
    {
        if ((format & CronFormat.Quartz) != 0)
        {
            return "6 or 7 fields (second minute hour day-of-month month day-of-week [year], Quartz.NET's dialect)";
        }

        var seconds = (format & CronFormat.IncludeSeconds) != 0;
        var year = (format & CronFormat.IncludeYear) != 0;
        var count = 5 + (seconds ? 1 : 0) + (year ? 1 : 0);
        return $"{count} fields ({(seconds ? "second " : "")}minute hour day-of-month month day-of-week{(year ? " year" : "")})";
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ThrowIfNotUtc(DateTime value, string paramName)
    {
        if (value.Kind != DateTimeKind.Utc)
        {
            ThrowNotUtc(paramName);
        }
    }

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNotUtc(string paramName)
        => throw new ArgumentException("The time must be UTC (DateTimeKind.Utc); convert it with ToUniversalTime() or use the DateTimeOffset overload with a TimeZoneInfo.", paramName);

    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowArgumentException(string paramName, string message) => throw new ArgumentException(message, paramName);
}
