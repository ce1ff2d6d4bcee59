using System.Text;
using ChronoFlow.Files;

namespace ChronoFlow.Files.Tests;

/// <summary>systemd calendar events in job files (<c>"schedule": {"calendar": "…"}</c>) and crontabs (<c>@calendar "…" command</c>).</summary>
public class CalendarScheduleFileTests
{
    private const string JobFile = "jobs.d/report.json";
    private const string Crontab = "/etc/chronoflow/jobs.cron";

    // Spans a spring-forward change in Berlin (2026-03-29), so a wrong zone or a UTC reading shows.
    private static readonly DateTimeOffset From = new(2026, 3, 25, 0, 0, 0, TimeSpan.Zero);

    private static JobFileParseResult ParseJob(string json) => JobFileParser.Parse(Encoding.UTF8.GetBytes(json), JobFile);

    private static string Job(string schedule, string extra = "")
        => $$"""{ "job_id": "report", "schedule": {{schedule}}, {{extra}} "task": { "type": "execute_command", "command": "/bin/true" } }""";

    private static string[] Errors(DefinitionFileResult r) => r.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToArray();

    private static DateTimeOffset[] Next(Schedule schedule, int count)
    {
        var result = new DateTimeOffset[count];
        var at = From;
        for (var i = 0; i < count; i++)
        {
            at = schedule.GetNextOccurrence(at) ?? throw new InvalidOperationException("the schedule ended");
            result[i] = at;
        }

        return result;
    }

    [Fact]
    public void JobFile_CalendarInJobZone_MatchesScheduleCalendar()
    {
        var r = ParseJob(Job("""{ "calendar": "Mon..Fri *-*-* 09:00:00" }""", """ "timezone": "Europe/Berlin", """));

        Assert.Empty(r.Result.Diagnostics);
        var d = Assert.Single(r.Result.Definitions);
        Assert.Equal(ScheduleKind.Calendar, d.Schedule.Kind);
        Assert.Equal("Mon..Fri *-*-* 09:00:00", d.ScheduleText);
        var expected = Next(Schedule.Calendar("Mon..Fri *-*-* 09:00:00 Europe/Berlin"), 8);
        Assert.Equal(expected, Next(d.Schedule, 8));

        // Wed 25 March 09:00 CET is 08:00 UTC; Mon 30 March 09:00 CEST is 07:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 3, 25, 8, 0, 0, TimeSpan.Zero), expected[0]);
        Assert.Equal(new DateTimeOffset(2026, 3, 30, 7, 0, 0, TimeSpan.Zero), expected[3]);
    }

    [Fact]
    public void JobFile_CalendarWithOwnZone_KeepsIt()
    {
        var r = ParseJob(Job("""{ "calendar": "*-*~1 23:00 Europe/Berlin" }"""));

        var d = Assert.Single(r.Result.Definitions);
        Assert.Null(d.TimeZone);
        Assert.Equal(Next(Schedule.Calendar("*-*~1 23:00", TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")), 4), Next(d.Schedule, 4));
        Assert.Equal(new DateTimeOffset(2026, 3, 31, 21, 0, 0, TimeSpan.Zero), d.Schedule.GetNextOccurrence(From));
    }

    [Fact]
    public void JobFile_SameZoneInBothPlaces_IsAccepted()
    {
        var r = ParseJob(Job("""{ "calendar": "daily Europe/Berlin" }""", """ "timezone": "Europe/Berlin", """));

        Assert.Empty(r.Result.Diagnostics);
        Assert.Equal(new DateTimeOffset(2026, 3, 25, 23, 0, 0, TimeSpan.Zero), Assert.Single(r.Result.Definitions).Schedule.GetNextOccurrence(From));
    }

    [Fact]
    public void JobFile_TwoDifferentZones_IsAnErrorAtTheEventsZone()
    {
        var r = ParseJob(Job("""{ "calendar": "Mon..Fri 09:00 UTC" }""", """ "timezone": "Europe/Berlin", """));

        Assert.Empty(r.Result.Definitions);
        var error = Assert.Single(Errors(r.Result));
        Assert.Equal(
            "jobs.d/report.json: $.schedule.calendar: the event names its own time zone, UTC, and the zone Europe/Berlin was given as well; name the zone in one place (at position 15 of \"Mon..Fri 09:00 UTC\")",
            error);
    }

    [Fact]
    public void JobFile_BadEvent_NamesFileFieldAndPosition()
    {
        var r = ParseJob(Job("""{ "calendar": "Mon..Fri *-*-32 09:00" }"""));

        Assert.Empty(r.Result.Definitions);
        var error = Assert.Single(Errors(r.Result));
        Assert.StartsWith("jobs.d/report.json: $.schedule.calendar: day: 32 is out of range", error, StringComparison.Ordinal);
        Assert.EndsWith("(at position 13 of \"Mon..Fri *-*-32 09:00\")", error, StringComparison.Ordinal);
    }

    [Fact]
    public void JobFile_CronInCalendarField_SaysItIsCron()
    {
        var r = ParseJob(Job("""{ "calendar": "0 9 * * 1-5" }"""));

        var error = Assert.Single(Errors(r.Result));
        Assert.Equal(
            "jobs.d/report.json: $.schedule.calendar: \"0 9 * * 1-5\" is a cron expression, not a systemd calendar event; write it as \"schedule\": \"0 9 * * 1-5\"",
            error);
    }

    [Fact]
    public void JobFile_CalendarInScheduleString_SaysItIsACalendarEvent()
    {
        var r = ParseJob(Job("\"Mon..Fri 09:00\""));

        var error = Assert.Single(Errors(r.Result));
        Assert.Equal(
            "jobs.d/report.json: $.schedule: \"Mon..Fri 09:00\" is a systemd calendar event, not a cron expression; write it as \"schedule\": {\"calendar\": \"Mon..Fri 09:00\"}",
            error);
    }

    [Theory]
    [InlineData("""{ }""", "$.schedule: \"calendar\" is required")]
    [InlineData("""{ "calendar": 5 }""", "$.schedule.calendar: expected a systemd calendar event")]
    [InlineData("""[ "daily" ]""", "$.schedule: expected a cron expression, a macro such as @daily, @reboot, an ISO 8601 instant, or an object {\"calendar\"")]
    public void JobFile_MalformedScheduleObject_IsAnError(string schedule, string reason)
    {
        var r = ParseJob(Job(schedule));

        Assert.Empty(r.Result.Definitions);
        Assert.StartsWith($"jobs.d/report.json: {reason}", Assert.Single(Errors(r.Result)), StringComparison.Ordinal);
    }

    [Fact]
    public void JobFile_UnknownFieldInScheduleObject_IsAWarning()
    {
        var r = ParseJob(Job("""{ "calendar": "daily", "jitter": "PT1M" }"""));

        Assert.Single(r.Result.Definitions);
        var warning = Assert.Single(r.Result.Diagnostics);
        Assert.False(warning.IsError);
        Assert.Equal("jobs.d/report.json: $.schedule.jitter: unknown field for schedule, ignored", warning.ToString());
    }

    [Fact]
    public void JobFile_CalendarAndCronForms_HaveDifferentFingerprints()
    {
        // "daily" is no cron text, but "@daily" vs {"calendar": "daily"} is the same time written in two dialects.
        var cron = Assert.Single(ParseJob(Job("\"@daily\"")).Result.Definitions);
        var calendar = Assert.Single(ParseJob(Job("""{ "calendar": "daily" }""")).Result.Definitions);

        Assert.Equal(cron.Schedule.GetNextOccurrence(From), calendar.Schedule.GetNextOccurrence(From));
        Assert.NotEqual(cron.Fingerprint, calendar.Fingerprint);
        Assert.Equal(calendar.Fingerprint, Assert.Single(ParseJob(Job("""{"calendar":"daily"}""")).Result.Definitions).Fingerprint);
    }

    [Fact]
    public void Crontab_CalendarLine_LoadsInCronTz()
    {
        var content = """
            CRON_TZ=Europe/Berlin
            @calendar "Mon..Fri *-*-* 09:00:00"   /usr/local/bin/report --today % stdin
            CRON_TZ=
            @CALENDAR "Sat,Sun 10:00 UTC" echo weekend
            """;

        var r = CrontabParser.Parse(content, Crontab);

        Assert.Empty(r.Diagnostics);
        Assert.Equal(2, r.Definitions.Length);
        var report = r.Definitions[0];
        Assert.Equal(ScheduleKind.Calendar, report.Schedule.Kind);
        Assert.Equal("Mon..Fri *-*-* 09:00:00", report.ScheduleText);
        Assert.Equal("line 2", report.SourceLocation);
        Assert.Equal(Next(Schedule.Calendar("Mon..Fri *-*-* 09:00:00 Europe/Berlin"), 8), Next(report.Schedule, 8));
        var command = Assert.IsType<CommandTaskSettings>(report.Task.Settings);
        Assert.Equal("/usr/local/bin/report --today ", command.Command);
        Assert.Equal(" stdin\n", command.StandardInput);

        var weekend = r.Definitions[1];
        Assert.Equal("echo weekend", Assert.IsType<CommandTaskSettings>(weekend.Task.Settings).Command);
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 10, 0, 0, TimeSpan.Zero), weekend.Schedule.GetNextOccurrence(From));
    }

    [Fact]
    public void Crontab_CalendarLine_WithUserColumn()
    {
        var r = CrontabParser.Parse("@calendar \"*-*-01 03:00\" root /sbin/rotate\n", Crontab, new CrontabParseOptions { HasUserColumn = true });

        var d = Assert.Single(r.Definitions);
        Assert.Equal("root", d.RunAsUser);
        Assert.Equal("/sbin/rotate", Assert.IsType<CommandTaskSettings>(d.Task.Settings).Command);
        Assert.Equal(new DateTimeOffset(2026, 4, 1, 3, 0, 0, TimeSpan.Zero), d.Schedule.GetNextOccurrence(From));
    }

    [Fact]
    public void Crontab_BadCalendarLines_NameLineAndPosition()
    {
        var content = """
            @calendar "Mon..Fri 25:00" /bin/a
            @calendar Mon..Fri 09:00 /bin/b
            @calendar "Mon..Fri 09:00 /bin/c
            @calendar "Mon..Fri 09:00"/bin/d
            @calendar "Mon..Fri 09:00"
            @calendar "0 9 * * *" /bin/f
            CRON_TZ=Europe/Berlin
            @calendar "09:00 Europe/Paris" /bin/g
            @calendar "09:00 Europe/Berlin" /bin/ok
            """;

        var r = CrontabParser.Parse(content, "jobs.cron");

        Assert.Equal(["/bin/ok"], r.Definitions.Select(d => Assert.IsType<CommandTaskSettings>(d.Task.Settings).Command));
        var errors = Errors(r);
        Assert.Equal(7, errors.Length);
        Assert.StartsWith("jobs.cron: line 1: @calendar: hour: 25 is out of range 0-23", errors[0], StringComparison.Ordinal);
        Assert.EndsWith("(at position 9 of \"Mon..Fri 25:00\")", errors[0], StringComparison.Ordinal);
        Assert.Equal("jobs.cron: line 2: @calendar: expected the calendar event in double quotes, as in @calendar \"Mon..Fri *-*-* 09:00\" command", errors[1]);
        Assert.Equal("jobs.cron: line 3: @calendar: the calendar event has no closing '\"'; write @calendar \"Mon..Fri *-*-* 09:00\" command", errors[2]);
        Assert.Equal("jobs.cron: line 4: @calendar: expected a blank after the closing '\"' of the calendar event", errors[3]);
        Assert.Equal("jobs.cron: line 5: has a schedule but no command", errors[4]);
        Assert.Equal("jobs.cron: line 6: @calendar: \"0 9 * * *\" is a cron expression, not a systemd calendar event; write it as \"0 9 * * * command\" without @calendar", errors[5]);
        Assert.Equal("jobs.cron: line 8: @calendar: the event names its own time zone, Europe/Paris, and the zone Europe/Berlin was given as well; name the zone in one place (at position 6 of \"09:00 Europe/Paris\")", errors[6]);
    }
}
