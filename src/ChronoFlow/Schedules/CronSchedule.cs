namespace ChronoFlow;

/// <summary>A schedule that follows a cron expression, in UTC or on the wall clock of a zone.</summary>
internal sealed class CronSchedule : Schedule
{
    private readonly string _text;
    private readonly CronFormat _format;
    private readonly CronExpression _expression;
    private readonly TimeZoneInfo? _zone;
    private readonly bool _seeded;

    public CronSchedule(string text, CronFormat format, CronExpression expression, TimeZoneInfo? zone, bool seeded)
    {
        _text = text;
        _format = format;
        _expression = expression;
        _zone = zone is null || zone == TimeZoneInfo.Utc ? null : zone;
        _seeded = seeded;
    }

    public override ScheduleKind Kind => ScheduleKind.Cron;

    public CronExpression Expression => _expression;

    public TimeZoneInfo? Zone => _zone;

    public override string ToString() => _zone is null ? _text : $"{_text} ({_zone.Id})";

    internal override long Next(long afterUtcTicks)
    {
        if (_zone is null)
        {
            var next = _expression.GetNextOccurrence(new DateTime(afterUtcTicks, DateTimeKind.Utc));
            return next is { } n ? n.Ticks : NoOccurrence;
        }

        var zoned = _expression.GetNextOccurrence(new DateTimeOffset(afterUtcTicks, TimeSpan.Zero), _zone);
        return zoned is { } z ? z.UtcTicks : NoOccurrence;
    }

    internal override Schedule Bind(string jobId, long registeredUtcTicks)
    {
        // Only an expression with H depends on its job; macros ("@hourly") hold an 'h' but no H field.
        if (_seeded || _text.Length == 0 || _text[0] == '@' || _text.AsSpan().IndexOfAny('H', 'h') < 0)
        {
            return this;
        }

        var seeded = CronExpression.Parse(_text.AsSpan(), _format, jobId.AsSpan());
        return new CronSchedule(_text, _format, seeded, _zone, seeded: true);
    }

    internal override bool SameAs(Schedule other)
        => other is CronSchedule c && c._expression == _expression && Equals(c._zone, _zone);
}
