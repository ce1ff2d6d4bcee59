namespace ChronoFlow.Definitions;

/// <summary>
/// Recognises and validates the schedule text of a definition: a cron expression of five fields (or six, seconds
/// first, told apart by count), a macro (<c>@daily</c> …), <c>@reboot</c>, or an ISO 8601 instant that carries an
/// offset (<c>2025-09-20T02:00:00Z</c>, <c>2025-09-20T04:00:00+02:00</c>) for a one-time run.
/// </summary>
internal static class ScheduleText
{
    /// <summary>Returns <see langword="null"/> on success, otherwise the reason.</summary>
    /// <param name="text">The schedule text.</param>
    /// <param name="hashSeed">The seed for <c>H</c> fields: the job id.</param>
    /// <param name="schedule">The recognised schedule.</param>
    public static string? TryParse(string text, string hashSeed, out DefinitionSchedule? schedule)
    {
        schedule = null;
        var trimmed = text.AsSpan().Trim(" \t");
        if (trimmed.IsEmpty)
        {
            return "is empty; expected a cron expression, a macro such as @daily, @reboot, or an ISO 8601 instant";
        }

        if (trimmed.Equals("@reboot", StringComparison.OrdinalIgnoreCase))
        {
            schedule = new DefinitionSchedule(DefinitionScheduleKind.Startup, "@reboot", CronFormat.Standard, null);
            return null;
        }

        // An instant is one word that starts with a four-digit year and a dash; a cron expression has several words.
        if (ScheduleSyntax.LooksLikeInstant(trimmed))
        {
            return TryParseInstant(trimmed.ToString(), out schedule);
        }

        CronFormat format;
        if (trimmed[0] == '@')
        {
            format = CronFormat.Standard;
        }
        else
        {
            var fields = ScheduleSyntax.CountFields(trimmed);
            switch (fields)
            {
                case 5:
                    format = CronFormat.Standard;
                    break;
                case 6:
                    format = CronFormat.IncludeSeconds;
                    break;
                default:
                    return $"has {fields} fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (a seconds field first)";
            }
        }

        var error = CronText.Validate(text, format, hashSeed);
        if (error is not null)
        {
            return error;
        }

        schedule = new DefinitionSchedule(DefinitionScheduleKind.Cron, text, format, null);
        return null;
    }

    private static string? TryParseInstant(string text, out DefinitionSchedule? schedule)
    {
        schedule = null;
        if (!ScheduleSyntax.HasExplicitOffset(text))
        {
            return $"\"{text}\" has no UTC offset; write the instant with 'Z' or an offset such as +02:00 (2025-09-20T02:00:00Z)";
        }

        if (!ScheduleSyntax.TryParseInstant(text, out var at))
        {
            return $"\"{text}\" is not an ISO 8601 instant such as 2025-09-20T02:00:00Z";
        }

        schedule = new DefinitionSchedule(DefinitionScheduleKind.Once, text, CronFormat.Standard, at);
        return null;
    }
}

/// <summary>
/// The one place that asks the cron engine whether an expression is valid, so that every definition source gives
/// the engine's own message (<c>minute: 61 is out of range 0-59</c>).
/// </summary>
internal static class CronText
{
    /// <summary>Returns <see langword="null"/> when the engine accepts the expression, otherwise its message.</summary>
    public static string? Validate(string expression, CronFormat format, string hashSeed)
    {
        if (CronExpression.TryParse(expression.AsSpan(), format, hashSeed.AsSpan(), out var parsed))
        {
            // Without a year field the calendar repeats, so "nothing after 1970" means "never": a job that can
            // never run is a mistake worth an error (0 0 30 2 *).
            return parsed.GetNextOccurrence(DateTime.UnixEpoch) is null
                ? $"never fires: no date matches \"{expression.Trim()}\""
                : null;
        }

        try
        {
            _ = CronExpression.Parse(expression.AsSpan(), format, hashSeed.AsSpan());
            return "is not a valid cron expression";
        }
        catch (CronFormatException ex)
        {
            return ex.Message;
        }
    }
}
