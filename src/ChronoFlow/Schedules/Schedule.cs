using System.Diagnostics.CodeAnalysis;

namespace ChronoFlow;

/// <summary>
/// When a job runs: a cron expression, a fixed interval, one instant, or once when the scheduler starts.
/// </summary>
/// <remarks>
/// <para>
/// Create schedules with <see cref="Cron(string, TimeZoneInfo?)"/>, <see cref="Every(TimeSpan)"/>,
/// <see cref="Once(DateTimeOffset)"/>, <see cref="Startup"/> or <see cref="Parse(string, TimeZoneInfo?)"/>.
/// Occurrences are computed from the schedule, never by polling. <see cref="ToString"/> gives the schedule as text.
/// </para>
/// <para>
/// A schedule that depends on its job (a cron <c>H</c> field, seeded by the job id; an interval without an
/// anchor, anchored when the job is registered; interval jitter, seeded by the job id) is bound to its job by
/// <see cref="JobScheduler.AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>.
/// </para>
/// </remarks>
/// <threadsafety>Schedules are immutable; every member is safe to call from any thread.</threadsafety>
public abstract class Schedule
{
    private protected Schedule()
    {
    }

    /// <summary>Gets a schedule that runs once, when the scheduler first dispatches after the job is registered (<c>@reboot</c>).</summary>
    public static Schedule Startup { get; } = new StartupSchedule();

    /// <summary>Gets what kind of schedule this is.</summary>
    public abstract ScheduleKind Kind { get; }

    /// <summary>Creates a schedule that follows a cron expression on the wall clock of a time zone.</summary>
    /// <param name="expression">
    /// Five fields (<c>minute hour day-of-month month day-of-week</c>), six fields (a leading seconds field), or a
    /// macro such as <c>@daily</c>. The field count tells the formats apart. <c>H</c> takes its value from the job id.
    /// </param>
    /// <param name="zone">The zone whose wall clock the expression runs on; <see langword="null"/> means UTC.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="expression"/> is <see langword="null"/>.</exception>
    /// <exception cref="CronFormatException">The expression is not valid; the message names the field and the fault.</exception>
    public static Schedule Cron(string expression, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return TryParseCron(expression.AsSpan().Trim(" \t"), zone, out var schedule, out var error) ? schedule : throw error;
    }

    /// <summary>
    /// Creates a schedule that follows an expression already parsed, in any <see cref="CronFormat"/> (with a year field,
    /// <see cref="CronFormat.IntersectDays"/>, Quartz.NET's dialect), on the wall clock of a time zone.
    /// </summary>
    /// <param name="expression">The expression. Its <c>H</c> fields keep the values its own parse gave them.</param>
    /// <param name="zone">The zone whose wall clock the expression runs on; <see langword="null"/> means UTC.</param>
    /// <returns>The schedule.</returns>
    public static Schedule Cron(CronExpression expression, TimeZoneInfo? zone = null)
        => new CronSchedule(expression.ToString(), CronFormat.Standard, expression, zone, seeded: true);

    /// <summary>
    /// Creates a schedule that follows a systemd calendar event (<c>OnCalendar=</c> syntax, <c>man systemd.time</c>),
    /// with systemd's meaning, including at daylight-saving transitions.
    /// </summary>
    /// <param name="text">
    /// The event, such as <c>Mon..Fri *-*-* 08:00</c>, <c>*-*~1 23:00</c>, <c>*:0/15</c>, <c>daily</c> or
    /// <c>Sat,Sun 10:00 Europe/Berlin</c>. A trailing zone (or <c>UTC</c>) sets the wall clock; without one it is UTC.
    /// </param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="CalendarFormatException">The event is not valid; the message says what is wrong and where.</exception>
    public static Schedule Calendar(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!CalendarSchedule.TryParse(text, defaultZone: null, out var schedule, out var error))
        {
            CalendarThrowHelper.ThrowFormatException(text, error);
        }

        return schedule!;
    }

    /// <summary>
    /// Creates a schedule that follows a systemd calendar event, as <see cref="Calendar(string)"/> does, on the wall
    /// clock of <paramref name="zone"/> when the event names no zone of its own.
    /// </summary>
    /// <param name="text">The event, such as <c>Mon..Fri *-*-* 08:00</c> or <c>Sat,Sun 10:00 Europe/Berlin</c>.</param>
    /// <param name="zone">
    /// The zone of an event without a trailing zone; <see langword="null"/> means UTC. An event that ends with a zone
    /// (or <c>UTC</c>) keeps it, and then <paramref name="zone"/> must be <see langword="null"/> or the same zone: two
    /// different zones for one event are an error rather than a silent choice. (An <c>@</c> timestamp is an instant,
    /// and ignores <paramref name="zone"/>.)
    /// </param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="CalendarFormatException">
    /// The event is not valid, or it names a zone other than <paramref name="zone"/>; the message says what is wrong,
    /// and <see cref="CalendarFormatException.Position"/> where (for a clash of zones, where the event's own zone starts).
    /// </exception>
    public static Schedule Calendar(string text, TimeZoneInfo? zone)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!CalendarSchedule.TryParse(text, zone, out var schedule, out var error))
        {
            CalendarThrowHelper.ThrowFormatException(text, error);
        }

        if (zone is not null && CalendarSchedule.ZoneClash(text, schedule!.Event, zone) is { } clash)
        {
            throw clash;
        }

        return schedule!;
    }

    /// <summary>
    /// Creates a schedule that runs every <paramref name="interval"/>, counted from when the job is registered; with a
    /// <see cref="SchedulerOptions.Store"/>, which other processes may share, counted from the Unix epoch instead, so
    /// that they all agree on the occurrences (every ten minutes then means :00, :10, :20, ... UTC).
    /// </summary>
    /// <param name="interval">The time between runs; positive.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is zero or negative.</exception>
    public static Schedule Every(TimeSpan interval) => Every(interval, anchor: null, jitter: null);

    /// <summary>Creates a schedule that runs every <paramref name="interval"/>, optionally anchored and jittered.</summary>
    /// <param name="interval">The time between runs; positive.</param>
    /// <param name="anchor">
    /// An instant that is an occurrence (runs fall on <c>anchor + k × interval</c>); <see langword="null"/> anchors
    /// the schedule when the job is registered, or at the Unix epoch with a store.
    /// </param>
    /// <param name="jitter">
    /// A random delay in <c>[0, jitter)</c> added to each occurrence, like systemd's <c>RandomizedDelaySec</c>, so that
    /// many jobs do not start at once. It is drawn from the job id and the occurrence number, so a job's occurrences
    /// are stable. Smaller than <paramref name="interval"/>; <see langword="null"/> or zero means none.
    /// </param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="interval"/> is not positive, or <paramref name="jitter"/> is negative or not smaller than the interval.
    /// </exception>
    public static Schedule Every(TimeSpan interval, DateTimeOffset? anchor = null, TimeSpan? jitter = null)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "The interval must be positive.");
        }

        var j = jitter ?? TimeSpan.Zero;
        if (j < TimeSpan.Zero || j >= interval)
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "The jitter must be zero or more and smaller than the interval.");
        }

        return new IntervalSchedule(interval.Ticks, anchor?.UtcTicks ?? IntervalSchedule.Unanchored, j.Ticks, seed: 0);
    }

    /// <summary>Creates a schedule that runs once, at <paramref name="at"/>.</summary>
    /// <param name="at">The instant to run at. When it is already past at registration, the misfire policy decides.</param>
    /// <returns>The schedule.</returns>
    public static Schedule Once(DateTimeOffset at) => new OnceSchedule(at);

    /// <summary>
    /// Parses a schedule: a cron expression (five or six fields), a macro (<c>@yearly</c>, <c>@annually</c>,
    /// <c>@monthly</c>, <c>@weekly</c>, <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>, <c>@every_minute</c>,
    /// <c>@every_second</c>, <c>@reboot</c>), or an ISO 8601 instant with an offset such as
    /// <c>2025-09-20T02:00:00Z</c>, which runs once.
    /// </summary>
    /// <param name="text">The schedule text.</param>
    /// <param name="zone">The zone of a cron expression; <see langword="null"/> means UTC. An instant carries its own offset.</param>
    /// <returns>The schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    /// <exception cref="FormatException">
    /// The text is none of the above; a <see cref="CronFormatException"/> with the position when it looks like a cron expression.
    /// </exception>
    public static Schedule Parse(string text, TimeZoneInfo? zone = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, zone, out var schedule, out var error) ? schedule : throw error;
    }

    /// <summary>
    /// Tries to parse a schedule as <see cref="Parse(string, TimeZoneInfo?)"/> does, without throwing. This is the one
    /// reader of schedule text: code, configuration, job files and crontabs all go through it.
    /// </summary>
    /// <param name="text">The schedule text.</param>
    /// <param name="zone">The zone of a cron expression; <see langword="null"/> means UTC.</param>
    /// <param name="schedule">The schedule, when the text is valid.</param>
    /// <param name="error">
    /// Why the text is not a schedule, when it is not: a <see cref="CronFormatException"/> with the 0-based
    /// <see cref="CronFormatException.Position"/> of the fault for a malformed cron expression, else a
    /// <see cref="FormatException"/> that says what was expected. It is created, never thrown.
    /// </param>
    /// <returns><see langword="true"/> when the text is a schedule.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is <see langword="null"/>.</exception>
    public static bool TryParse(string text, TimeZoneInfo? zone, [NotNullWhen(true)] out Schedule? schedule, [NotNullWhen(false)] out FormatException? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        schedule = null;
        error = null;
        var trimmed = text.AsSpan().Trim(" \t");
        if (trimmed.IsEmpty)
        {
            error = new FormatException("The schedule is empty: expected a cron expression, a macro such as @daily or @reboot, or an ISO 8601 instant such as 2025-09-20T02:00:00Z.");
            return false;
        }

        if (trimmed.Equals("@reboot", StringComparison.OrdinalIgnoreCase))
        {
            schedule = Startup;
            return true;
        }

        // An instant is one word that starts with a four-digit year and a dash; a cron expression has several words.
        if (ScheduleSyntax.LooksLikeInstant(trimmed))
        {
            if (!ScheduleSyntax.HasExplicitOffset(trimmed))
            {
                error = new FormatException($"The schedule '{trimmed}' has no UTC offset: write the instant with 'Z' or an offset such as +02:00 (2025-09-20T02:00:00Z).");
                return false;
            }

            if (!ScheduleSyntax.TryParseInstant(trimmed, out var at))
            {
                error = new FormatException($"The schedule '{trimmed}' looks like a date but is not an ISO 8601 instant with an offset, such as 2025-09-20T02:00:00Z or 2025-09-20T04:00:00+02:00.");
                return false;
            }

            schedule = Once(at);
            return true;
        }

        return TryParseCron(trimmed, zone, out schedule, out error);
    }

    /// <summary>Reads a cron expression or macro (five or six fields, told apart by count); the text is already trimmed.</summary>
    private static bool TryParseCron(ReadOnlySpan<char> trimmed, TimeZoneInfo? zone, [NotNullWhen(true)] out Schedule? schedule, [NotNullWhen(false)] out FormatException? error)
    {
        schedule = null;
        error = null;
        var expression = trimmed.ToString();
        var fields = ScheduleSyntax.CountFields(trimmed);
        if ((trimmed.IsEmpty || trimmed[0] != '@') && fields is not (5 or 6))
        {
            // The fault is where the missing field should start (the end), or at the first field too many.
            error = new CronFormatException(
                $"The schedule '{expression}' has {fields} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (a seconds field first){(ScheduleSyntax.LooksLikeCalendar(trimmed) ? ScheduleSyntax.CalendarHint : string.Empty)}.",
                fields < 5 ? expression.Length : ScheduleSyntax.FieldStart(trimmed, 6));
            return false;
        }

        var format = fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        var cronError = CronParser.Parse(expression, format, default, out var parsed);
        if (cronError.Code != CronParseErrorCode.None)
        {
            error = ThrowHelper.CreateCronFormatException(expression, format, cronError, ScheduleSyntax.LooksLikeCalendar(trimmed) ? ScheduleSyntax.CalendarHint : null);
            return false;
        }

        schedule = new CronSchedule(expression, format, parsed, zone, seeded: false);
        return true;
    }

    /// <summary>Gets the first occurrence after <paramref name="after"/>, or <see langword="null"/> when there is none.</summary>
    /// <param name="after">The instant to search from (exclusive).</param>
    /// <returns>The next occurrence, or <see langword="null"/>.</returns>
    /// <remarks>
    /// An unanchored interval counts from <paramref name="after"/> until it is bound to a job; a <see cref="Startup"/>
    /// schedule has no calendar occurrences and returns <see langword="null"/>.
    /// </remarks>
    public DateTimeOffset? GetNextOccurrence(DateTimeOffset after)
    {
        var ticks = Next(after.UtcTicks);
        return ticks == NoOccurrence ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>Gets the schedule as text: the cron expression, <c>@every 00:05:00</c>, the ISO 8601 instant, or <c>@reboot</c>.</summary>
    /// <returns>The text.</returns>
    public abstract override string ToString();

    /// <summary>Returned by <see cref="Next"/> when there is no further occurrence.</summary>
    internal const long NoOccurrence = long.MaxValue;

    /// <summary>The first occurrence after <paramref name="afterUtcTicks"/> (exclusive), or <see cref="NoOccurrence"/>.</summary>
    internal abstract long Next(long afterUtcTicks);

    /// <summary>The first occurrence of a job registered at <paramref name="registeredUtcTicks"/>.</summary>
    internal virtual long First(long registeredUtcTicks) => Next(registeredUtcTicks);

    /// <summary>The schedule as it applies to one job: H seeded, interval anchored, jitter seeded.</summary>
    internal virtual Schedule Bind(string jobId, long registeredUtcTicks) => this;

    /// <summary>
    /// The schedule's identity in a store: two registrations with the same identity are the same schedule, so a job
    /// resumes from its stored next occurrence. Taken from the schedule as registered, before <see cref="Bind"/>.
    /// </summary>
    internal virtual string Identity => ToString();

    /// <summary>The bound schedule continued from a stored next occurrence: an interval counts on from it; others are unchanged.</summary>
    internal virtual Schedule ResumeAt(long cursorUtcTicks) => this;

    /// <summary>Whether two schedules mean the same, so that an update can keep the next run.</summary>
    internal abstract bool SameAs(Schedule other);

    /// <summary>
    /// Counts occurrences in <c>[fromUtcTicks, toUtcTicks)</c>, stopping at <paramref name="cap"/> so that a leap of
    /// years over a per-second schedule answers at once.
    /// </summary>
    internal virtual long Count(long fromUtcTicks, long toUtcTicks, long cap)
    {
        long n = 0;
        for (var t = Next(fromUtcTicks - 1); t < toUtcTicks && n < cap; t = Next(t))
        {
            n++;
        }

        return n;
    }
}

/// <summary>What kind of schedule a <see cref="Schedule"/> is.</summary>
public enum ScheduleKind
{
    /// <summary>A cron expression.</summary>
    Cron,

    /// <summary>A fixed interval.</summary>
    Interval,

    /// <summary>One instant.</summary>
    Once,

    /// <summary>Once when the scheduler starts (<c>@reboot</c>).</summary>
    Startup,

    /// <summary>A systemd calendar event (<c>OnCalendar=</c>).</summary>
    Calendar,
}
