using System.Collections.Immutable;
using System.Text.Json;

namespace ChronoFlow.Files;

/// <summary>Misfire settings: the policy name as written (<c>skip</c>, <c>run_once</c>, <c>run_all</c>) and the grace period.</summary>
internal sealed record MisfireDefinition(string? Policy, TimeSpan? GracePeriod);

/// <summary>
/// Retry settings: up to <see cref="MaxAttempts"/> attempts in all (the first run included), waiting
/// <see cref="Backoff"/> before the first retry and doubling each time, never more than <see cref="MaxDelay"/>.
/// </summary>
internal sealed record RetryDefinition(int MaxAttempts, TimeSpan? Backoff, TimeSpan? MaxDelay);

/// <summary>
/// A task: its type (built-in or registered), the raw JSON settings (the whole task object) and the settings its type
/// bound: <see cref="CommandTaskSettings"/> or <see cref="HttpTaskSettings"/> for the built-in types, the application's
/// own settings object for a registered <see cref="JobTaskType"/>.
/// </summary>
internal sealed record TaskDefinition(JobTaskType TaskType, JsonElement RawSettings, object Settings)
{
    public const string ExecuteCommand = "execute_command";
    public const string HttpRequest = "http_request";

    /// <summary>The type name, as the file gives it in <c>task.type</c>.</summary>
    public string Type => TaskType.Name;
}

/// <summary>
/// A validated job definition from a file: plain data, with nothing of the scheduler in it, so that registering it
/// is a thin adapter (<c>scheduler.AddOrUpdate(JobId, schedule, executor, options)</c>).
/// </summary>
/// <remarks>
/// <see cref="Fingerprint"/> is a canonical text of every field that affects how the job runs (not where it came
/// from): two definitions with the same id and fingerprint are the same job, so a reload that only moves or
/// re-formats a file reports nothing.
/// </remarks>
internal sealed record JobDefinition
{
    public required string JobId { get; init; }

    public string? Description { get; init; }

    /// <summary>
    /// The schedule, read once by <see cref="ReadSchedule"/> in the definition's zone. Its <c>H</c> fields are seeded by
    /// the job id when the scheduler binds it to the job.
    /// </summary>
    public required Schedule Schedule { get; init; }

    /// <summary>The schedule text as written (trimmed), for the fingerprint.</summary>
    public required string ScheduleText { get; init; }

    /// <summary>The zone id as written (IANA), or <see langword="null"/> for UTC.</summary>
    public string? TimeZoneId { get; init; }

    /// <summary>The resolved zone, or <see langword="null"/> for UTC.</summary>
    public TimeZoneInfo? TimeZone { get; init; }

    public bool Enabled { get; init; } = true;

    public TimeSpan? Timeout { get; init; }

    /// <summary>How many runs may overlap; <see langword="null"/> takes the scheduler's default (1).</summary>
    public int? MaxConcurrency { get; init; }

    public MisfireDefinition? Misfire { get; init; }

    public RetryDefinition? Retry { get; init; }

    public string? LockKey { get; init; }

    /// <summary>For system crontabs: the user column. <see cref="UserSwitch"/> decides whether and how the line runs.</summary>
    public string? RunAsUser { get; init; }

    public required TaskDefinition Task { get; init; }

    /// <summary>The file the definition came from, as the loader was given it.</summary>
    public required string SourceFile { get; init; }

    /// <summary>Where in the file: <c>$</c> for a JSON file, <c>line N</c> for a crontab line.</summary>
    public string SourceLocation { get; init; } = "$";

    public required string Fingerprint { get; init; }

    /// <summary>
    /// Reads a definition's schedule text with the one reader of schedule text, <see cref="Schedule.TryParse"/>, in
    /// <paramref name="zone"/>. Returns <see langword="null"/> on success, otherwise the reason to put after the field's
    /// location. A cron schedule that can never fire (<c>0 0 30 2 *</c>) is an error in a file.
    /// </summary>
    internal static string? ReadSchedule(string text, TimeZoneInfo? zone, CalendarSyntax syntax, out Schedule? schedule)
    {
        if (!Schedule.TryParse(text, zone, out schedule, out var error))
        {
            // A calendar event where schedule text is expected: say how this kind of file writes one.
            if (IsCalendarEvent(text))
            {
                return $"\"{text.Trim()}\" is a systemd calendar event, not a cron expression; write it as {CalendarForm(syntax, text.Trim())}";
            }

            // The file names the field already: keep the reason, drop the API's "The schedule '…'" opening.
            return Reason(error.Message);
        }

        // Without a year field the calendar repeats, so "nothing after 1970" means "never".
        if (schedule.Kind == ScheduleKind.Cron && schedule.GetNextOccurrence(DateTimeOffset.UnixEpoch) is null)
        {
            schedule = null;
            return $"never fires: no date matches \"{text.Trim()}\"";
        }

        return null;
    }

    /// <summary>
    /// Reads a systemd calendar event (<see cref="Schedule.Calendar(string, TimeZoneInfo?)"/>) on the wall clock of
    /// <paramref name="zone"/> (the job's <c>timezone</c> or the crontab's <c>CRON_TZ</c>). An event that names its own
    /// zone keeps it, and a different <paramref name="zone"/> as well is an error. Returns <see langword="null"/> on
    /// success, otherwise the reason, with the 0-based position in the event text as cron errors give it.
    /// </summary>
    internal static string? ReadCalendar(string text, TimeZoneInfo? zone, CalendarSyntax syntax, out Schedule? schedule)
    {
        try
        {
            schedule = Schedule.Calendar(text, zone);
        }
        catch (CalendarFormatException ex)
        {
            schedule = null;

            // Cron text where a calendar event is expected: say how this kind of file writes cron.
            if (Schedule.TryParse(text, zone, out var other, out _) && other.Kind == ScheduleKind.Cron)
            {
                var cron = text.Trim();
                return $"\"{cron}\" is a cron expression, not a systemd calendar event; write it as "
                    + (syntax == CalendarSyntax.JobFile ? $"\"schedule\": \"{cron}\"" : $"\"{cron} command\" without @calendar");
            }

            return ex.Message;
        }

        if (schedule.GetNextOccurrence(DateTimeOffset.UnixEpoch) is null)
        {
            schedule = null;
            return $"never fires: no date matches \"{text.Trim()}\"";
        }

        return null;
    }

    private static bool IsCalendarEvent(string text)
    {
        try
        {
            _ = Schedule.Calendar(text);
            return true;
        }
        catch (CalendarFormatException)
        {
            return false;
        }
    }

    private static string CalendarForm(CalendarSyntax syntax, string text) => syntax == CalendarSyntax.JobFile
        ? $"\"schedule\": {{\"calendar\": \"{text}\"}}"
        : $"@calendar \"{text}\" followed by the command";

    private static string Reason(string message)
    {
        const string Opening = "The schedule '";
        if (!message.StartsWith(Opening, StringComparison.Ordinal))
        {
            return message;
        }

        var quote = message.IndexOf("' ", StringComparison.Ordinal);
        return (quote > 0 ? message[(quote + 2)..] : message).TrimEnd('.').Replace(":", ";", StringComparison.Ordinal);
    }
}

/// <summary>Which kind of file a schedule is read from, to word the advice about the other dialect in its own syntax.</summary>
internal enum CalendarSyntax
{
    /// <summary>A JSON job file: <c>"schedule": {"calendar": "…"}</c>.</summary>
    JobFile,

    /// <summary>A crontab: <c>@calendar "…" command</c>.</summary>
    Crontab,
}

/// <summary>The result of reading one definition file: zero or more definitions and every finding, in file order.</summary>
internal sealed record DefinitionFileResult(ImmutableArray<JobDefinition> Definitions, ImmutableArray<DefinitionDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(static d => d.IsError);
}
