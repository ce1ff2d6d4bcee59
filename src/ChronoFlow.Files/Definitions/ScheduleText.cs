namespace ChronoFlow.Files;

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
        if (!Schedule.TryParse(text, null, out var parsed, out var error))
        {
            // The file names the field already: keep the reason, drop the API's "The schedule '…'" opening.
            return error.Message.StartsWith("The schedule '", StringComparison.Ordinal) ? Reason(error.Message) : error.Message;
        }

        switch (parsed.Kind)
        {
            case ScheduleKind.Startup:
                schedule = new DefinitionSchedule(DefinitionScheduleKind.Startup, "@reboot", CronFormat.Standard, null);
                return null;
            case ScheduleKind.Once:
                schedule = new DefinitionSchedule(DefinitionScheduleKind.Once, text.Trim(), CronFormat.Standard, DateTimeOffset.Parse(text.Trim(), System.Globalization.CultureInfo.InvariantCulture));
                return null;
        }

        var format = CountFields(text) == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard;
        if (CronText.Validate(text, format, hashSeed) is { } cronError)
        {
            return cronError;
        }

        schedule = new DefinitionSchedule(DefinitionScheduleKind.Cron, text, format, null);
        return null;
    }

    private static string Reason(string message)
    {
        var quote = message.IndexOf("' ", StringComparison.Ordinal);
        var reason = message.StartsWith("The schedule '", StringComparison.Ordinal) && quote > 0 ? message[(quote + 2)..] : message;
        return reason.TrimEnd('.').Replace(":", ";", StringComparison.Ordinal);
    }

    private static int CountFields(string text) => text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Length;
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
