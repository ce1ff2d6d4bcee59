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
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static CronFormatException CreateCronFormatException(ReadOnlySpan<char> text, CronFormat format, CronParseError error)
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
            CronParseErrorCode.HashNotAllowed => $"{field}: H is not allowed in this field",
            CronParseErrorCode.HashRangeMalformed => $"{field}: H takes a range written H(a-b)",
            CronParseErrorCode.TextAfterMacro => $"unexpected text '{token}' after the macro",
            _ => "the expression is not valid",
        };

        return new CronFormatException($"{detail} (at position {error.Position} of \"{text.ToString()}\")", error.Position);
    }

    private static string Token(ReadOnlySpan<char> text, CronParseError error)
    {
        var start = Math.Clamp(error.Position, 0, text.Length);
        var length = Math.Clamp(error.Length, 0, text.Length - start);
        return text.Slice(start, length).ToString();
    }

    private static string ExpectedFields(CronFormat format)
    {
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
