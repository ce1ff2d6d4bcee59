using System.Text.Json;

namespace ChronoFlow.Files;

/// <summary>
/// Reads one job file (<c>*.json</c>) into a validated <see cref="JobDefinition"/>, or into diagnostics that name
/// the file, the JSON path and the reason.
/// </summary>
/// <remarks>
/// <para>
/// The file is one JSON object (RFC 8259: no comments, no trailing commas). Required: <c>job_id</c> (see
/// <see cref="JobId"/>), <c>schedule</c> and <c>task</c>. Optional: <c>description</c>, <c>timezone</c> (an IANA or
/// system zone id), <c>enabled</c> (default true), <c>timeout</c>, <c>max_concurrency</c> (1-10000),
/// <c>misfire</c> {<c>policy</c>: skip|run_once|run_all, <c>grace_period</c>}, <c>retry</c> {<c>max_attempts</c>
/// (1-100), <c>backoff</c>, <c>max_delay</c>}, <c>lock</c> (a lock key string) and <c>$schema</c> (ignored).
/// Durations are <c>"00:10:00"</c> or ISO 8601 <c>"PT10M"</c>. An explicit <c>null</c> is the same as leaving a
/// field out. A property given twice, a wrong type or a missing field is an error; an unknown field is a warning.
/// </para>
/// <para>
/// <c>schedule</c> is a string (a cron expression of five or six fields, a macro such as <c>@daily</c>,
/// <c>@reboot</c>, or an ISO 8601 instant with an offset, read by <see cref="Schedule.TryParse"/>), or an object
/// <c>{"calendar": "Mon..Fri *-*-* 09:00"}</c> holding a systemd calendar event (<c>OnCalendar=</c> syntax, read by
/// <see cref="Schedule.Calendar(string, TimeZoneInfo?)"/>). The event runs on the wall clock of <c>timezone</c>;
/// it may end with its own zone (<c>Europe/Berlin</c>, <c>UTC</c>) instead, but naming a zone in both places is an
/// error unless they are the same zone. A bad event is reported at <c>$.schedule.calendar</c> with the 0-based
/// position in the event; cron text in the calendar field, or an event in the string form, is reported as the other
/// dialect with the form to write instead.
/// </para>
/// <para>
/// Text that is not JSON gets one error at <c>line L, position P</c> (both 1-based; P counts UTF-8 bytes in the
/// line, as System.Text.Json reports it). A UTF-8 byte order mark is skipped. Parsing uses
/// <see cref="JsonDocument"/> only, so it is safe under trimming and native AOT.
/// </para>
/// </remarks>
internal static class JobFileParser
{
    private static readonly JsonDocumentOptions s_options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 32,
    };

    /// <summary>Parses the UTF-8 content of a job file.</summary>
    /// <param name="utf8">The file content (a UTF-8 byte order mark is allowed).</param>
    /// <param name="file">The file name to put in diagnostics, as the user knows it (<c>jobs.d/report.json</c>).</param>
    /// <param name="taskTypes">The task types by name (<see cref="BuiltInTaskTypes.CreateTable"/>), or <see langword="null"/> for the built-in ones only.</param>
    public static JobFileParseResult Parse(ReadOnlyMemory<byte> utf8, string file, IReadOnlyDictionary<string, JobTaskType>? taskTypes = null)
    {
        var bag = new DiagnosticsBag(file);
        if (utf8.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            // JsonDocument.Parse over bytes does not skip a byte order mark; editors on Windows write one.
            utf8 = utf8[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, s_options);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            bag.Error($"line {line}, position {position}", $"invalid JSON: {Reason(ex.Message)}");
            return new JobFileParseResult(new DefinitionFileResult([], bag.ToImmutable()), MalformedJson: true);
        }

        using (document)
        {
            var definition = ParseRoot(document.RootElement, bag, file, taskTypes);
            return new JobFileParseResult(new DefinitionFileResult(definition is null ? [] : [definition], bag.ToImmutable()), MalformedJson: false);
        }
    }

    private static JobDefinition? ParseRoot(JsonElement root, DiagnosticsBag bag, string file, IReadOnlyDictionary<string, JobTaskType>? taskTypes)
    {
        var fields = JsonFields.Open(root, "$", bag);
        if (fields is null)
        {
            return null;
        }

        fields.TryGet("$schema", out _);

        var jobId = fields.String("job_id", required: true, what: "the job id, a string");
        if (jobId is not null && JobId.Validate(jobId) is { } idError)
        {
            bag.Error(fields.PathOf("job_id"), $"\"{jobId}\" {idError}");
            jobId = null;
        }

        var description = fields.String("description");

        // "schedule" is schedule text (cron, a macro, an instant) or an object {"calendar": "<systemd calendar event>"}.
        var (scheduleText, calendarText) = ReadScheduleField(fields);

        TimeZoneInfo? zone = null;
        string? zoneError = null;
        var zoneId = fields.String("timezone", what: "an IANA time zone id such as \"Europe/Berlin\"");
        if (zoneId is not null)
        {
            zone = TimeZones.Find(zoneId, out zoneError);
        }

        // Read once, in the job's zone; the findings keep file order (schedule, then time zone).
        Schedule? schedule = null;
        if (scheduleText is not null && JobDefinition.ReadSchedule(scheduleText, zone, CalendarSyntax.JobFile, out schedule) is { } scheduleError)
        {
            bag.Error(fields.PathOf("schedule"), scheduleError);
        }
        else if (calendarText is not null && JobDefinition.ReadCalendar(calendarText, zone, CalendarSyntax.JobFile, out schedule) is { } calendarError)
        {
            bag.Error(JsonFields.Child(fields.PathOf("schedule"), "calendar"), calendarError);
        }

        if (zoneError is not null)
        {
            bag.Error(fields.PathOf("timezone"), zoneError);
        }

        var enabled = fields.Boolean("enabled") ?? true;
        var timeout = fields.Duration("timeout", allowZero: false);
        var maxConcurrency = (int?)fields.Integer("max_concurrency", 1, 10_000);
        var misfire = ParseMisfire(fields);
        var retry = ParseRetry(fields);

        var lockKey = fields.String("lock", what: "a lock key string");
        if (lockKey is not null && (lockKey.Length == 0 || lockKey.Length > 256 || lockKey.Any(char.IsControl)))
        {
            bag.Error(fields.PathOf("lock"), "a lock key is 1 to 256 characters, without control characters");
            lockKey = null;
        }

        TaskDefinition? task = null;
        if (fields.TryGet("task", out var taskElement))
        {
            task = TaskSettingsParser.Parse(taskElement, fields.PathOf("task"), bag, taskTypes);
        }
        else
        {
            fields.Missing("task", "an object with a \"type\"");
        }

        fields.WarnUnknown();

        if (bag.HasErrors || jobId is null || schedule is null || task is null)
        {
            return null;
        }

        var definition = new JobDefinition
        {
            JobId = jobId,
            Description = description,
            Schedule = schedule,
            ScheduleText = (scheduleText ?? calendarText!).Trim(),
            TimeZoneId = zoneId,
            TimeZone = zone,
            Enabled = enabled,
            Timeout = timeout,
            MaxConcurrency = maxConcurrency,
            Misfire = misfire,
            Retry = retry,
            LockKey = lockKey,
            Task = task,
            SourceFile = file,
            Fingerprint = string.Empty,
        };
        return definition with { Fingerprint = DefinitionFingerprint.Compute(definition) };
    }

    /// <summary>
    /// Reads <c>schedule</c>: a string is schedule text, an object holds one <c>calendar</c> string (a systemd calendar
    /// event). At most one of the two results is set; a fault is reported and leaves both unset.
    /// </summary>
    private static (string? Text, string? Calendar) ReadScheduleField(JsonFields fields)
    {
        const string What = "a cron expression, a macro such as @daily, @reboot, an ISO 8601 instant, or an object {\"calendar\": \"<systemd calendar event>\"}";
        if (!fields.TryGet("schedule", out var element))
        {
            fields.Missing("schedule", What);
            return (null, null);
        }

        if (element.ValueKind == JsonValueKind.String)
        {
            return (element.GetString()!, null);
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            fields.Bag.Error(fields.PathOf("schedule"), $"expected {What}, found {JsonFields.Describe(element)}");
            return (null, null);
        }

        var schedule = JsonFields.Open(element, fields.PathOf("schedule"), fields.Bag)!;
        var calendar = schedule.String("calendar", required: true, what: "a systemd calendar event such as \"Mon..Fri *-*-* 09:00\"");
        schedule.WarnUnknown("schedule");
        return (null, calendar);
    }

    private static MisfireDefinition? ParseMisfire(JsonFields fields)
    {
        var misfire = fields.Object("misfire");
        if (misfire is null)
        {
            return null;
        }

        var policy = misfire.String("policy", what: "\"skip\", \"run_once\" or \"run_all\"");
        if (policy is not null and not ("skip" or "run_once" or "run_all"))
        {
            misfire.Bag.Error(misfire.PathOf("policy"), $"\"{policy}\" is not a misfire policy; expected \"skip\", \"run_once\" or \"run_all\"");
            policy = null;
        }

        var grace = misfire.Duration("grace_period", allowZero: true);
        misfire.WarnUnknown("misfire");
        return new MisfireDefinition(policy, grace);
    }

    private static RetryDefinition? ParseRetry(JsonFields fields)
    {
        var retry = fields.Object("retry");
        if (retry is null)
        {
            return null;
        }

        var attempts = retry.Integer("max_attempts", 1, 100);
        if (attempts is null && !retry.Has("max_attempts"))
        {
            retry.Missing("max_attempts", "how many attempts in all, 1-100");
        }

        var backoff = retry.Duration("backoff", allowZero: true);
        var maxDelay = retry.Duration("max_delay", allowZero: false);
        if (backoff is { } b && maxDelay is { } m && m < b)
        {
            retry.Bag.Error(retry.PathOf("max_delay"), "is shorter than \"backoff\"");
        }

        retry.WarnUnknown("retry");
        return new RetryDefinition((int)(attempts ?? 1), backoff, maxDelay);
    }

    /// <summary>A System.Text.Json message without the location it appends (the diagnostic has its own).</summary>
    internal static string Reason(string message)
    {
        // System.Text.Json appends " LineNumber: n | BytePositionInLine: m." (and sometimes "Path: $ |"); the
        // location is already in the diagnostic.
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        var lineCut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        if (cut < 0 || (lineCut >= 0 && lineCut < cut))
        {
            cut = lineCut;
        }

        return (cut > 0 ? message[..cut] : message).TrimEnd();
    }
}

/// <summary>The result of <see cref="JobFileParser.Parse"/>; <see cref="MalformedJson"/> marks text that is not JSON at all (perhaps still being written).</summary>
internal sealed record JobFileParseResult(DefinitionFileResult Result, bool MalformedJson);

/// <summary>Finds time zones by IANA id (or a Windows id where the system has it).</summary>
internal static class TimeZones
{
    public static TimeZoneInfo? Find(string id, out string? error)
    {
        error = null;
        if (id.Length == 0)
        {
            error = "is empty; expected an IANA time zone id such as \"Europe/Berlin\"";
            return null;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (TimeZoneNotFoundException)
        {
            error = $"unknown time zone \"{id}\"; expected an IANA id such as \"Europe/Berlin\"";
        }
        catch (InvalidTimeZoneException ex)
        {
            error = $"time zone \"{id}\" cannot be read: {ex.Message}";
        }

        return null;
    }
}
