using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public class CrontabParserTests
{
    private const string File = "/etc/chronoflow/backup.cron";

    private static CommandTaskSettings Command(JobDefinition d) => Assert.IsType<CommandTaskSettings>(d.Task.Settings);

    [Fact]
    public void Parse_ClassicFile_LoadsJobsWithEnvironment()
    {
        var content = """
            # nightly jobs
            SHELL=/bin/bash
            MAILTO=""
            PATH = /usr/local/bin:/usr/bin:/bin

            0 2 * * *   /usr/local/bin/backup --full   # keeps the hash sign
            @hourly     echo "tick"
            CRON_TZ=Europe/Berlin
            30 6 * * 1-5 'report generator' --today
            """;

        var r = CrontabParser.Parse(content, File);

        Assert.Empty(r.Diagnostics);
        Assert.Equal(3, r.Definitions.Length);

        var backup = r.Definitions[0];
        Assert.StartsWith("crontab-backup.cron:", backup.JobId, StringComparison.Ordinal);
        Assert.Null(JobId.Validate(backup.JobId));
        Assert.Equal("0 2 * * *", backup.ScheduleText);
        Assert.Equal("line 6", backup.SourceLocation);
        Assert.Null(backup.TimeZone);
        Assert.Equal("/usr/local/bin/backup --full   # keeps the hash sign", Command(backup).Command);
        Assert.True(Command(backup).Shell);
        Assert.Equal("/bin/bash", Command(backup).ShellPath);
        Assert.Equal("", Command(backup).Environment["MAILTO"]);
        Assert.Equal("/usr/local/bin:/usr/bin:/bin", Command(backup).Environment["PATH"]);

        Assert.Equal("@hourly", r.Definitions[1].ScheduleText);
        Assert.Equal(ScheduleKind.Cron, r.Definitions[1].Schedule.Kind);

        var report = r.Definitions[2];
        Assert.Equal("Europe/Berlin", report.TimeZoneId);
        Assert.NotNull(report.TimeZone);
        Assert.Equal("30 6 * * 1-5", report.ScheduleText);
        Assert.Equal("line 9", report.SourceLocation);
    }

    [Fact]
    public void Parse_BrokenLines_AreReportedAndOthersLoad()
    {
        var content = """
            * * * *
            @fortnightly /bin/true
            0 1 * * * /bin/ok-1
            CRON_TZ=Nowhere/City
            0 2 * * * /bin/wrong-zone
            CRON_TZ=UTC
            0 3 * * * /bin/ok-2
            15 4 * * *
            """;

        var r = CrontabParser.Parse(content, "crontab");

        Assert.Equal(["/bin/ok-1", "/bin/ok-2"], r.Definitions.Select(d => Command(d).Command));
        Assert.Equal(
        [
            "crontab: line 1: has 4 schedule fields and no command; expected \"minute hour day-of-month month day-of-week command\"",
            "crontab: line 2: unknown macro \"@fortnightly\"; expected @reboot, @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every_minute, @every_second",
            "crontab: line 4: CRON_TZ: unknown time zone \"Nowhere/City\"; expected an IANA id such as \"Europe/Berlin\"",
            "crontab: line 5: not loaded: the CRON_TZ on line 4 above is not valid",
            "crontab: line 8: has a schedule but no command",
        ],
        r.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Parse_OutOfRangeField_GivesEngineMessage()
    {
        var r = CrontabParser.Parse("61 * * * * /bin/true\n", "crontab");

        Assert.StartsWith("crontab: line 1: minute: 61 is out of range 0-59", Assert.Single(r.Diagnostics).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Reboot_IsStartup()
    {
        var r = CrontabParser.Parse("@reboot /usr/bin/warm-cache\n", "crontab");

        Assert.Equal(ScheduleKind.Startup, Assert.Single(r.Definitions).Schedule.Kind);
    }

    [Fact]
    public void Parse_UserColumn_IsReadForSystemCrontab()
    {
        var options = new CrontabParseOptions { HasUserColumn = true };

        var r = CrontabParser.Parse("17 * * * * root cd / && run-parts --report /etc/cron.hourly\n@daily\tbackup /bin/backup\n@weekly\n", "crontab", options);

        Assert.Equal(["root", "backup"], r.Definitions.Select(d => d.RunAsUser));
        Assert.Equal("cd / && run-parts --report /etc/cron.hourly", Command(r.Definitions[0]).Command);
        Assert.Equal("crontab: line 3: has no user column and no command; a system crontab line is \"schedule user command\"", Assert.Single(r.Diagnostics).ToString());
    }

    [Fact]
    public void Parse_Percent_SplitsStandardInput()
    {
        var r = CrontabParser.Parse("0 9 * * * mail -s \"50\\% done\" ops%Hello,%the job is 50\\% done\n", "crontab");

        var cmd = Command(Assert.Single(r.Definitions));
        Assert.Equal("mail -s \"50% done\" ops", cmd.Command);
        Assert.Equal("Hello,\nthe job is 50% done\n", cmd.StandardInput);
    }

    [Fact]
    public void Parse_NoPercent_HasNoStandardInput()
    {
        var cmd = Command(Assert.Single(CrontabParser.Parse("0 9 * * * date +\\%Y\n", "crontab").Definitions));

        Assert.Equal("date +%Y", cmd.Command);
        Assert.Null(cmd.StandardInput);
    }

    [Fact]
    public void Parse_Continuation_JoinsLinesAndKeepsFirstLineNumber()
    {
        var r = CrontabParser.Parse("# a comment \\\n0 1 * * * /bin/echo one \\\n  two\nFOO=b\\\nar\n@daily env\n", "crontab");

        Assert.Empty(r.Diagnostics);
        Assert.Equal(2, r.Definitions.Length);
        Assert.Equal("line 2", r.Definitions[0].SourceLocation);
        Assert.Equal("/bin/echo one   two", Command(r.Definitions[0]).Command);
        Assert.Equal("bar", Command(r.Definitions[1]).Environment["FOO"]);
        Assert.Equal("line 6", r.Definitions[1].SourceLocation);
    }

    [Fact]
    public void Parse_Ids_AreStableAcrossMovesAndUniqueForDuplicates()
    {
        var first = CrontabParser.Parse("0 1 * * * /bin/a\n0 2 * * * /bin/b\n0 2 * * * /bin/b\n", "my crontab");
        var second = CrontabParser.Parse("# moved\n\n0 2 * * * /bin/b\n0 1 * * * /bin/a\n", "my crontab");

        Assert.StartsWith("crontab-my_crontab:", first.Definitions[0].JobId, StringComparison.Ordinal);
        Assert.Equal(first.Definitions[1].JobId + "-2", first.Definitions[2].JobId);
        Assert.Equal(first.Definitions[0].JobId, second.Definitions[1].JobId);
        Assert.Equal(first.Definitions[0].Fingerprint, second.Definitions[1].Fingerprint);
        Assert.Equal(first.Definitions[1].JobId, second.Definitions[0].JobId);
        Assert.Equal(3, first.Definitions.Select(d => d.JobId).Distinct().Count());
    }

    [Fact]
    public void Parse_EnvironmentChange_KeepsIdChangesFingerprint()
    {
        var before = Assert.Single(CrontabParser.Parse("PATH=/bin\n0 1 * * * run\n", "crontab").Definitions);
        var after = Assert.Single(CrontabParser.Parse("PATH=/usr/bin\n0 1 * * * run\n", "crontab").Definitions);

        Assert.Equal(before.JobId, after.JobId);
        Assert.NotEqual(before.Fingerprint, after.Fingerprint);
    }

    [Fact]
    public void Parse_QuotedEnvironmentValues_LoseQuotes()
    {
        var cmd = Command(Assert.Single(CrontabParser.Parse("A='x y'\nB=\"z\"\nC = 'unbalanced\"\n@daily run\n", "crontab").Definitions));

        Assert.Equal("x y", cmd.Environment["A"]);
        Assert.Equal("z", cmd.Environment["B"]);
        Assert.Equal("'unbalanced\"", cmd.Environment["C"]);
    }
}
