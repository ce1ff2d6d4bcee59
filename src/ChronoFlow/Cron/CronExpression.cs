using System.Diagnostics.CodeAnalysis;

namespace ChronoFlow;

/// <summary>
/// A parsed cron expression: which seconds, minutes, hours, days, months, weekdays and years it fires on, and
/// the arithmetic to find its next and previous occurrences in UTC or on the wall clock of a time zone.
/// </summary>
/// <remarks>
/// <para>
/// Parse with <see cref="Parse(string, CronFormat)"/> or <see cref="TryParse(ReadOnlySpan{char}, CronFormat, out CronExpression)"/>.
/// Neither allocates: the whole expression lives in this value as bit fields. A failing <c>TryParse</c> does not
/// throw internally.
/// </para>
/// <para>
/// The dialect: <c>[second] minute hour day-of-month month day-of-week [year]</c>, with <c>*</c>, <c>?</c>,
/// ranges (<c>a-b</c>, wrapping when reversed), steps (<c>*/n</c>, <c>a/n</c>, <c>a-b/n</c>), lists, names
/// (<c>JAN</c>–<c>DEC</c>, <c>SUN</c>–<c>SAT</c>), <c>L</c>, <c>L-n</c>, <c>nW</c>, <c>LW</c>, <c>L-nW</c>,
/// <c>nL</c>, <c>n#k</c>, <c>H</c> and the macros <c>@yearly</c>, <c>@annually</c>, <c>@monthly</c>,
/// <c>@weekly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>, <c>@every_minute</c> and <c>@every_second</c>.
/// </para>
/// <para>
/// In a time zone the expression runs on the zone's wall clock. A local time skipped by a spring-forward
/// transition fires once, at the instant of the jump. In a repeated (fall-back) hour a fixed-time expression
/// fires once, in the first pass; an expression with <c>*</c>, a range or a step in its second, minute or hour
/// field fires in both passes, so that its cadence in real time holds.
/// </para>
/// <para>
/// The <see langword="default"/> value is not a parsed expression: it never fires.
/// </para>
/// </remarks>
/// <threadsafety>This is an immutable value type; every member is safe to call from any thread.</threadsafety>
public readonly partial struct CronExpression : IEquatable<CronExpression>
{
    /// <summary>Parses a cron expression.</summary>
    /// <param name="expression">The expression text.</param>
    /// <param name="format">Which fields the text has and how the day fields combine.</param>
    /// <returns>The parsed expression.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    /// <exception cref="CronFormatException">The text is not a valid expression; the message names the field and the fault.</exception>
    public static CronExpression Parse(string expression, CronFormat format = CronFormat.Standard)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return CronParser.ParseOrThrow(expression, format, default);
    }

    /// <summary>Parses a cron expression.</summary>
    /// <param name="expression">The expression text.</param>
    /// <param name="format">Which fields the text has and how the day fields combine.</param>
    /// <returns>The parsed expression.</returns>
    /// <exception cref="CronFormatException">The text is not a valid expression; the message names the field and the fault.</exception>
    public static CronExpression Parse(ReadOnlySpan<char> expression, CronFormat format = CronFormat.Standard)
        => CronParser.ParseOrThrow(expression, format, default);

    /// <summary>Parses a cron expression whose <c>H</c> fields take their values from <paramref name="hashSeed"/>.</summary>
    /// <param name="expression">The expression text.</param>
    /// <param name="format">Which fields the text has and how the day fields combine.</param>
    /// <param name="hashSeed">The text that <c>H</c> hashes, usually the job id, so that jobs spread out.</param>
    /// <returns>The parsed expression.</returns>
    /// <exception cref="CronFormatException">The text is not a valid expression; the message names the field and the fault.</exception>
    public static CronExpression Parse(ReadOnlySpan<char> expression, CronFormat format, ReadOnlySpan<char> hashSeed)
        => CronParser.ParseOrThrow(expression, format, hashSeed);

    /// <summary>Tries to parse a cron expression, without throwing or allocating.</summary>
    /// <param name="expression">The expression text.</param>
    /// <param name="format">Which fields the text has and how the day fields combine.</param>
    /// <param name="result">The parsed expression, or <see langword="default"/> when the text is not valid.</param>
    /// <returns><see langword="true"/> when the text is a valid expression.</returns>
    public static bool TryParse(ReadOnlySpan<char> expression, CronFormat format, out CronExpression result)
        => CronParser.TryParse(expression, format, default, out result);

    /// <summary>Tries to parse a cron expression whose <c>H</c> fields hash <paramref name="hashSeed"/>, without throwing or allocating.</summary>
    /// <param name="expression">The expression text.</param>
    /// <param name="format">Which fields the text has and how the day fields combine.</param>
    /// <param name="hashSeed">The text that <c>H</c> hashes, usually the job id.</param>
    /// <param name="result">The parsed expression, or <see langword="default"/> when the text is not valid.</param>
    /// <returns><see langword="true"/> when the text is a valid expression.</returns>
    public static bool TryParse(ReadOnlySpan<char> expression, CronFormat format, ReadOnlySpan<char> hashSeed, out CronExpression result)
        => CronParser.TryParse(expression, format, hashSeed, out result);

    /// <summary>
    /// Gets whether this is a fixed-time expression: its second, minute and hour fields hold only single values or
    /// lists of them. Such an expression fires once in a repeated (fall-back) hour; any other fires in both passes.
    /// </summary>
    public bool IsFixedTime => (Flags & CronFlags.FixedTime) != 0;

    /// <summary>Gets the next occurrence after <paramref name="fromUtc"/>, in UTC.</summary>
    /// <param name="fromUtc">The instant to search from; its <see cref="DateTime.Kind"/> must be <see cref="DateTimeKind.Utc"/>.</param>
    /// <param name="inclusive">Whether <paramref name="fromUtc"/> itself counts when it is an occurrence.</param>
    /// <returns>The next occurrence with <see cref="DateTimeKind.Utc"/>, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentException"><paramref name="fromUtc"/> is not a UTC time.</exception>
    public DateTime? GetNextOccurrence(DateTime fromUtc, bool inclusive = false)
    {
        ThrowHelper.ThrowIfNotUtc(fromUtc, nameof(fromUtc));
        var ticks = CronCalendar.Next(in this, fromUtc.Ticks, inclusive);
        return ticks < 0 ? null : new DateTime(ticks, DateTimeKind.Utc);
    }

    /// <summary>Gets the next occurrence after <paramref name="from"/> on the wall clock of <paramref name="zone"/>.</summary>
    /// <param name="from">The instant to search from.</param>
    /// <param name="zone">The time zone whose wall clock the expression runs on.</param>
    /// <param name="inclusive">Whether <paramref name="from"/> itself counts when it is an occurrence.</param>
    /// <returns>The next occurrence with the zone's offset at that instant, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is <see langword="null"/>.</exception>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset from, TimeZoneInfo zone, bool inclusive = false)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var utc = ZonedCalendar.Next(in this, ZoneRules.For(zone), from.UtcTicks, inclusive, out var offset);
        return utc < 0 ? null : ZoneRules.ToOffset(utc, offset);
    }

    /// <summary>Gets the latest occurrence before <paramref name="fromUtc"/>, in UTC.</summary>
    /// <param name="fromUtc">The instant to search back from; its <see cref="DateTime.Kind"/> must be <see cref="DateTimeKind.Utc"/>.</param>
    /// <param name="inclusive">Whether <paramref name="fromUtc"/> itself counts when it is an occurrence.</param>
    /// <returns>The previous occurrence with <see cref="DateTimeKind.Utc"/>, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentException"><paramref name="fromUtc"/> is not a UTC time.</exception>
    public DateTime? GetPreviousOccurrence(DateTime fromUtc, bool inclusive = false)
    {
        ThrowHelper.ThrowIfNotUtc(fromUtc, nameof(fromUtc));
        var ticks = CronCalendar.Previous(in this, fromUtc.Ticks, inclusive);
        return ticks < 0 ? null : new DateTime(ticks, DateTimeKind.Utc);
    }

    /// <summary>Gets the latest occurrence before <paramref name="from"/> on the wall clock of <paramref name="zone"/>.</summary>
    /// <param name="from">The instant to search back from.</param>
    /// <param name="zone">The time zone whose wall clock the expression runs on.</param>
    /// <param name="inclusive">Whether <paramref name="from"/> itself counts when it is an occurrence.</param>
    /// <returns>The previous occurrence with the zone's offset at that instant, or <see langword="null"/> when there is none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is <see langword="null"/>.</exception>
    public DateTimeOffset? GetPreviousOccurrence(DateTimeOffset from, TimeZoneInfo zone, bool inclusive = false)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var utc = ZonedCalendar.Previous(in this, ZoneRules.For(zone), from.UtcTicks, inclusive, out var offset);
        return utc < 0 ? null : ZoneRules.ToOffset(utc, offset);
    }

    /// <summary>Lists the occurrences between two instants on the wall clock of <paramref name="zone"/>, without allocating.</summary>
    /// <param name="from">The start of the range.</param>
    /// <param name="to">The end of the range.</param>
    /// <param name="zone">The time zone whose wall clock the expression runs on.</param>
    /// <param name="fromInclusive">Whether an occurrence at <paramref name="from"/> is listed.</param>
    /// <param name="toInclusive">Whether an occurrence at <paramref name="to"/> is listed.</param>
    /// <returns>A struct enumerable of the occurrences in order, each with the zone's offset at that instant.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="zone"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="to"/> is before <paramref name="from"/>.</exception>
    public CronOccurrences GetOccurrences(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone, bool fromInclusive = true, bool toInclusive = false)
    {
        ArgumentNullException.ThrowIfNull(zone);
        if (to < from)
        {
            ThrowHelper.ThrowArgumentException(nameof(to), "The end of the range is before its start.");
        }

        return new CronOccurrences(this, ZoneRules.For(zone), from.UtcTicks, to.UtcTicks, fromInclusive, toInclusive);
    }

    /// <summary>Lists the occurrences between two UTC instants, without allocating.</summary>
    /// <param name="fromUtc">The start of the range, in UTC.</param>
    /// <param name="toUtc">The end of the range, in UTC.</param>
    /// <param name="fromInclusive">Whether an occurrence at <paramref name="fromUtc"/> is listed.</param>
    /// <param name="toInclusive">Whether an occurrence at <paramref name="toUtc"/> is listed.</param>
    /// <returns>A struct enumerable of the occurrences in order, each with offset zero.</returns>
    /// <exception cref="ArgumentException">A bound is not a UTC time, or <paramref name="toUtc"/> is before <paramref name="fromUtc"/>.</exception>
    public CronOccurrences GetOccurrences(DateTime fromUtc, DateTime toUtc, bool fromInclusive = true, bool toInclusive = false)
    {
        ThrowHelper.ThrowIfNotUtc(fromUtc, nameof(fromUtc));
        ThrowHelper.ThrowIfNotUtc(toUtc, nameof(toUtc));
        if (toUtc < fromUtc)
        {
            ThrowHelper.ThrowArgumentException(nameof(toUtc), "The end of the range is before its start.");
        }

        return new CronOccurrences(this, ZoneRules.Utc, fromUtc.Ticks, toUtc.Ticks, fromInclusive, toInclusive);
    }

    /// <inheritdoc />
    public bool Equals(CronExpression other) => CronFields.SameMeaning(in this, in other);

    /// <inheritdoc />
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is CronExpression other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => CronFields.HashOfMeaning(in this);

    /// <summary>Gets the canonical text of the expression, which parses back, with the same format, to an equal value.</summary>
    /// <returns>The canonical text; empty for the <see langword="default"/> value.</returns>
    public override string ToString() => CronFormatter.Format(in this);

    /// <summary>Whether two expressions have the same meaning.</summary>
    /// <param name="left">The first expression.</param>
    /// <param name="right">The second expression.</param>
    /// <returns><see langword="true"/> when they fire at the same instants in every zone.</returns>
    public static bool operator ==(CronExpression left, CronExpression right) => left.Equals(right);

    /// <summary>Whether two expressions differ in meaning.</summary>
    /// <param name="left">The first expression.</param>
    /// <param name="right">The second expression.</param>
    /// <returns><see langword="true"/> when they fire at different instants in some zone.</returns>
    public static bool operator !=(CronExpression left, CronExpression right) => !left.Equals(right);
}
