namespace ChronoFlow;

/// <summary>A schedule that follows a systemd calendar event (<c>OnCalendar=</c>) with systemd's meaning.</summary>
internal sealed class CalendarSchedule : Schedule
{
    private readonly CalendarEvent _event;
    private readonly TimeZoneInfo? _zone;

    /// <summary>Creates the schedule.</summary>
    /// <param name="calendarEvent">The parsed event.</param>
    /// <param name="defaultZone">The wall clock of an event without a trailing zone; <see langword="null"/> means UTC.</param>
    public CalendarSchedule(CalendarEvent calendarEvent, TimeZoneInfo? defaultZone)
    {
        _event = calendarEvent;
        _zone = calendarEvent.EffectiveZone(defaultZone);
    }

    public override ScheduleKind Kind => ScheduleKind.Calendar;

    public CalendarEvent Event => _event;

    /// <summary>The wall clock the event runs on; <see langword="null"/> means UTC.</summary>
    public TimeZoneInfo? Zone => _zone;

    /// <summary>Parses an event into a schedule without throwing, for callers that report errors themselves (job files).</summary>
    /// <param name="text">The event.</param>
    /// <param name="defaultZone">The wall clock of an event without a trailing zone; <see langword="null"/> means UTC.</param>
    /// <param name="schedule">The schedule, when valid.</param>
    /// <param name="error">The error code and 0-based position, when not; <see cref="CalendarThrowHelper.Describe"/> words it.</param>
    public static bool TryParse(string text, TimeZoneInfo? defaultZone, out CalendarSchedule? schedule, out CalendarParseError error)
    {
        if (CalendarParser.TryParse(text, out var parsed, out error))
        {
            schedule = new CalendarSchedule(parsed, defaultZone);
            return true;
        }

        schedule = null;
        return false;
    }

    /// <summary>
    /// The error for an event that names its own zone (a trailing zone or <c>UTC</c>) when the caller gives a different
    /// one, or <see langword="null"/> when they agree or the event names none. An <c>@</c> timestamp is an instant and
    /// never clashes.
    /// </summary>
    public static CalendarFormatException? ZoneClash(string text, CalendarEvent calendarEvent, TimeZoneInfo zone)
    {
        var trimmed = text.AsSpan().TrimEnd();
        int position;
        string own;
        if (calendarEvent.ZoneName is { } name && calendarEvent.Zone is { } eventZone)
        {
            if (eventZone.Id.Equals(zone.Id, StringComparison.OrdinalIgnoreCase) || eventZone.HasSameRules(zone))
            {
                return null;
            }

            position = trimmed.LastIndexOf(' ') + 1;
            own = name;
        }
        else if (calendarEvent.IsUtc && trimmed.EndsWith(" UTC", StringComparison.OrdinalIgnoreCase))
        {
            if (zone == TimeZoneInfo.Utc || zone.HasSameRules(TimeZoneInfo.Utc))
            {
                return null;
            }

            position = trimmed.Length - 3;
            own = "UTC";
        }
        else
        {
            return null;
        }

        return new CalendarFormatException(
            $"the event names its own time zone, {own}, and the zone {zone.Id} was given as well; name the zone in one place (at position {position} of \"{text}\")",
            position);
    }

    public override string ToString()
        => _zone is null || _event.Zone is not null || _event.IsUtc ? _event.Text : $"{_event.Text} ({_zone.Id})";

    internal override long Next(long afterUtcTicks)
    {
        var next = CalendarSearch.Next(_event, _zone, afterUtcTicks);
        return next < 0 ? NoOccurrence : next;
    }

    internal override bool SameAs(Schedule other)
        => other is CalendarSchedule c && c._event.Normalized == _event.Normalized && Equals(c._zone, _zone);
}
