namespace ChronoFlow;

internal enum CronParseErrorCode { None, Invalid }
internal readonly record struct CronParseError(CronParseErrorCode Code, int Position);
internal static class CronParser
{
    public static CronParseError Parse(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, out CronExpression result) => throw new NotImplementedException();
}
internal static class ThrowHelper
{
    public static void ThrowCronFormatException(ReadOnlySpan<char> text, CronParseError error) => throw new NotImplementedException();
    public static void ThrowIfNotUtc(DateTime value, string name) { }
    public static void ThrowArgumentException(string name, string message) => throw new ArgumentException(message, name);
}
internal static class CronCalendar
{
    public static long Next(in CronExpression e, long ticks, bool inclusive) => throw new NotImplementedException();
    public static long Previous(in CronExpression e, long ticks, bool inclusive) => throw new NotImplementedException();
}
internal sealed class ZoneRules
{
    public static readonly ZoneRules Utc = new();
    public static ZoneRules For(TimeZoneInfo zone) => throw new NotImplementedException();
    public DateTimeOffset ToOffset(long utcTicks) => throw new NotImplementedException();
}
internal static class ZonedCalendar
{
    public static long Next(in CronExpression e, ZoneRules z, long ticks, bool inclusive) => throw new NotImplementedException();
    public static long Previous(in CronExpression e, ZoneRules z, long ticks, bool inclusive) => throw new NotImplementedException();
}
internal static class CronFields
{
    public static bool SameMeaning(in CronExpression a, in CronExpression b) => throw new NotImplementedException();
    public static int HashOfMeaning(in CronExpression a) => throw new NotImplementedException();
}
internal static class CronFormatter
{
    public static string Format(in CronExpression e) => throw new NotImplementedException();
}
