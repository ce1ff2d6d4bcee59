using System.Text;
using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public class JobFileParserTests
{
    private const string File = "jobs.d/report.json";

    private static JobFileParseResult Parse(string json, IReadOnlyDictionary<string, JobTaskType>? types = null)
        => JobFileParser.Parse(Encoding.UTF8.GetBytes(json), File, types);

    private static string[] Errors(JobFileParseResult r) => r.Result.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()).ToArray();

    [Fact]
    public void Parse_IssueExample_GivesDefinition()
    {
        var r = Parse("""
            {
              "job_id": "daily-report",
              "description": "Generate the daily sales report",
              "schedule": "0 1 * * *",
              "task": { "type": "execute_command", "command": "/usr/bin/python3 /opt/scripts/generate_sales_report.py" }
            }
            """);

        Assert.Empty(r.Result.Diagnostics);
        var d = Assert.Single(r.Result.Definitions);
        Assert.Equal("daily-report", d.JobId);
        Assert.Equal("Generate the daily sales report", d.Description);
        Assert.Equal(ScheduleKind.Cron, d.Schedule.Kind);
        Assert.Equal(TestClock.Epoch.AddHours(1), d.Schedule.GetNextOccurrence(TestClock.Epoch)); // five fields: 01:00, no seconds field
        Assert.True(d.Enabled);
        var cmd = Assert.IsType<CommandTaskSettings>(d.Task.Settings);
        Assert.Equal(["/usr/bin/python3", "/opt/scripts/generate_sales_report.py"], cmd.Arguments.ToArray());
        Assert.False(cmd.Shell);
        Assert.Equal(File, d.SourceFile);
    }

    [Fact]
    public void Parse_AllOptionalFields_AreRead()
    {
        var r = Parse("""
            {
              "job_id": "full.job_1",
              "schedule": "*/10 * * * * *",
              "timezone": "Europe/Berlin",
              "enabled": false,
              "timeout": "PT10M",
              "max_concurrency": 3,
              "misfire": { "policy": "run_once", "grace_period": "00:00:30" },
              "retry": { "max_attempts": 4, "backoff": "PT5S", "max_delay": "00:01:00" },
              "lock": "reports",
              "task": { "type": "http_request", "method": "POST", "url": "https://example.com/hook",
                        "headers": { "X-Token": "abc" }, "body": { "a": 1 }, "timeout": "PT30S", "expected_status": [200, 202] }
            }
            """);

        Assert.Empty(r.Result.Diagnostics);
        var d = Assert.Single(r.Result.Definitions);
        Assert.Equal(TestClock.Epoch.AddSeconds(10), d.Schedule.GetNextOccurrence(TestClock.Epoch)); // six fields: seconds first
        Assert.Equal("Europe/Berlin", d.TimeZoneId);
        Assert.NotNull(d.TimeZone);
        Assert.False(d.Enabled);
        Assert.Equal(TimeSpan.FromMinutes(10), d.Timeout);
        Assert.Equal(3, d.MaxConcurrency);
        Assert.Equal(new MisfireDefinition("run_once", TimeSpan.FromSeconds(30)), d.Misfire);
        Assert.Equal(new RetryDefinition(4, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1)), d.Retry);
        Assert.Equal("reports", d.LockKey);
        var http = Assert.IsType<HttpTaskSettings>(d.Task.Settings);
        Assert.Equal("POST", http.Method);
        Assert.Equal(new Uri("https://example.com/hook"), http.Url);
        Assert.Equal("""{ "a": 1 }""", http.Body);
        Assert.True(http.BodyIsJson);
        Assert.True(http.IsExpected(202));
        Assert.False(http.IsExpected(204));
    }

    [Fact]
    public void Parse_OneTimeInstant_IsOnce()
    {
        var r = Parse("""{ "job_id": "once", "schedule": "2025-09-20T02:00:00Z", "task": { "type": "execute_command", "args": ["/bin/true"] } }""");

        var d = Assert.Single(r.Result.Definitions);
        Assert.Equal(ScheduleKind.Once, d.Schedule.Kind);
        Assert.Equal(new DateTimeOffset(2025, 9, 20, 2, 0, 0, TimeSpan.Zero), d.Schedule.GetNextOccurrence(DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("2025-09-20T02:00:00", "has no UTC offset")]
    [InlineData("2025-13-20T02:00:00Z", "is not an ISO 8601 instant")]
    [InlineData("* * * *", "has 4 fields")]
    [InlineData("0 0 1 * * * *", "has 7 fields")]
    [InlineData("", "is empty")]
    [InlineData("61 * * * *", "minute: 61 is out of range 0-59")]
    [InlineData("0 25 * * *", "hour: 25 is out of range 0-23")]
    [InlineData("*/0 * * * *", "minute: step 0 is out of range 1-59")]
    [InlineData("61 0 * * * *", "second: 61 is out of range 0-59")]
    [InlineData("@fortnightly", "unknown macro '@fortnightly'")]
    [InlineData("0 0 30 2 *", "never fires: no date matches \"0 0 30 2 *\"")]
    public void Parse_BadSchedule_NamesPathAndReason(string schedule, string reason)
    {
        var r = Parse($$"""{ "job_id": "x", "schedule": "{{schedule}}", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        Assert.Empty(r.Result.Definitions);
        var error = Assert.Single(Errors(r));
        Assert.StartsWith("jobs.d/report.json: $.schedule: ", error, StringComparison.Ordinal);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OutOfRangeMinute_GivesEngineMessage()
    {
        var r = Parse("""{ "job_id": "x", "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        var error = Assert.Single(Errors(r));
        Assert.StartsWith("jobs.d/report.json: $.schedule: minute: 61 is out of range 0-59", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("H H * * *")]
    [InlineData("0 9 L * ?")]
    [InlineData("@every_second")]
    [InlineData("0001-0005 * * * *")]
    [InlineData("0 0 9 * * MON-FRI")]
    public void Parse_EngineDialect_IsAccepted(string schedule)
    {
        var r = Parse($$"""{ "job_id": "x", "schedule": "{{schedule}}", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        Assert.Empty(r.Result.Diagnostics);
        Assert.Equal(schedule, Assert.Single(r.Result.Definitions).ScheduleText);
    }

    [Fact]
    public void Parse_Reboot_IsStartup()
    {
        var r = Parse("""{ "job_id": "boot", "schedule": "@REBOOT", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        Assert.Equal(ScheduleKind.Startup, Assert.Single(r.Result.Definitions).Schedule.Kind);
    }

    [Fact]
    public void Parse_BadJson_ReportsLineAndPosition()
    {
        var r = Parse("{\n  \"job_id\": \"x\",\n  \"schedule\": \"* * * * *\"\n  \"task\": {}\n}");

        Assert.True(r.MalformedJson);
        var error = Assert.Single(Errors(r));
        Assert.StartsWith("jobs.d/report.json: line 4, position 3: invalid JSON: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Utf8ByteOrderMark_IsAccepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("""{ "job_id": "bom", "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }""")).ToArray();

        var r = JobFileParser.Parse(bytes, File);

        Assert.Empty(r.Result.Diagnostics);
        Assert.Equal("bom", Assert.Single(r.Result.Definitions).JobId);
    }

    [Fact]
    public void Parse_EmptyFile_IsMalformed()
    {
        var r = Parse("");

        Assert.True(r.MalformedJson);
        Assert.Single(Errors(r));
    }

    [Fact]
    public void Parse_MissingFields_AreEachReported()
    {
        var r = Parse("""{ "description": "nothing else" }""");

        Assert.False(r.MalformedJson);
        var errors = Errors(r);
        Assert.Equal(3, errors.Length);
        Assert.Contains(errors, e => e.StartsWith("jobs.d/report.json: $: \"job_id\" is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("jobs.d/report.json: $: \"schedule\" is required", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("jobs.d/report.json: $: \"task\" is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "job_id": 5, "schedule": "* * * * *", "task": { "type": "execute_command", "command": "a" } }""", "$.job_id: expected the job id, a string, found a number")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "enabled": "yes", "task": { "type": "execute_command", "command": "a" } }""", "$.enabled: expected true or false, found a string")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "max_concurrency": 1.5, "task": { "type": "execute_command", "command": "a" } }""", "$.max_concurrency: 1.5 is not a whole number")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "max_concurrency": 0, "task": { "type": "execute_command", "command": "a" } }""", "$.max_concurrency: 0 is out of range 1-10000")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "timeout": "10 minutes", "task": { "type": "execute_command", "command": "a" } }""", "$.timeout: \"10 minutes\" is not a duration")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "timeout": "P1M", "task": { "type": "execute_command", "command": "a" } }""", "$.timeout: \"P1M\" uses years or months")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "timezone": "Mars/Olympus", "task": { "type": "execute_command", "command": "a" } }""", "$.timezone: unknown time zone \"Mars/Olympus\"")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "misfire": { "policy": "later" }, "task": { "type": "execute_command", "command": "a" } }""", "$.misfire.policy: \"later\" is not a misfire policy")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "retry": { "backoff": "PT1S" }, "task": { "type": "execute_command", "command": "a" } }""", "$.retry: \"max_attempts\" is required")]
    [InlineData("""{ "job_id": "x y", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "a" } }""", "$.job_id: \"x y\" has '\\u0020' at index 1")]
    [InlineData("""{ "job_id": "x", "job_id": "y", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "a" } }""", "$.job_id: is given more than once")]
    [InlineData("""[1, 2]""", "$: expected an object, found an array")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "task": "run it" }""", "$.task: expected an object, found a string")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "task": { "command": "a" } }""", "$.task: \"type\" is required")]
    [InlineData("""{ "job_id": "x", "schedule": "* * * * *", "task": { "type": "send_mail" } }""", "$.task.type: unknown task type \"send_mail\"; known types are execute_command, http_request")]
    public void Parse_WrongValue_IsErrorWithPath(string json, string expected)
    {
        var r = Parse(json);

        Assert.Empty(r.Result.Definitions);
        Assert.Contains(Errors(r), e => e.StartsWith("jobs.d/report.json: " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_UnknownFields_AreWarningsOnly()
    {
        var r = Parse("""{ "job_id": "x", "schedule": "@daily", "owner": "me", "task": { "type": "execute_command", "command": "/bin/true", "sudo": true } }""");

        Assert.Single(r.Result.Definitions);
        Assert.Equal(
            ["jobs.d/report.json: $.task.sudo: unknown field for execute_command, ignored", "jobs.d/report.json: $.owner: unknown field, ignored"],
            r.Result.Diagnostics.Select(d => d.ToString()));
        Assert.All(r.Result.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Warning, d.Severity));
    }

    [Fact]
    public void Parse_RegisteredTaskType_BindsSettingsAndKeepsRawJson()
    {
        var sendMail = JobTaskType.Create<Dictionary<string, string>>("send_mail", static (_, _, _) => ValueTask.CompletedTask);
        var r = Parse("""{ "job_id": "x", "schedule": "@hourly", "task": { "type": "send_mail", "to": "ops@example.com" } }""", BuiltInTaskTypes.CreateTable([sendMail]));

        var d = Assert.Single(r.Result.Definitions);
        Assert.Equal("send_mail", d.Task.Type);
        Assert.Same(sendMail, d.Task.TaskType);
        Assert.Equal("ops@example.com", Assert.IsType<Dictionary<string, string>>(d.Task.Settings)["to"]);
        Assert.Equal("ops@example.com", d.Task.RawSettings.GetProperty("to").GetString());
    }

    [Theory]
    [InlineData("""{ "type": "execute_command" }""", "$.task: \"command\" (a command line) or \"args\" (an array of strings) is required")]
    [InlineData("""{ "type": "execute_command", "command": "a", "args": ["a"] }""", "$.task.args: give \"command\" or \"args\", not both")]
    [InlineData("""{ "type": "execute_command", "command": "echo 'oops" }""", "$.task.command: unterminated single quote at index 5")]
    [InlineData("""{ "type": "execute_command", "args": [] }""", "$.task.args: is empty")]
    [InlineData("""{ "type": "execute_command", "args": ["/bin/echo", 3] }""", "$.task.args[1]: expected a string, found a number")]
    [InlineData("""{ "type": "execute_command", "args": ["/bin/echo"], "shell": true }""", "$.task.args: \"shell\": true takes \"command\"")]
    [InlineData("""{ "type": "execute_command", "command": "a", "environment": { "A": 1 } }""", "$.task.environment.A: expected a string, found a number")]
    [InlineData("""{ "type": "execute_command", "command": "a", "environment": { "A=B": "x" } }""", "$.task.environment['A=B']: an environment variable name must not contain")]
    [InlineData("""{ "type": "execute_command", "command": "a", "working_directory": "relative/dir" }""", "$.task.working_directory: \"relative/dir\" is not an absolute path")]
    [InlineData("""{ "type": "execute_command", "command": "a", "output_limit": -1 }""", "$.task.output_limit: -1 is out of range")]
    [InlineData("""{ "type": "http_request" }""", "$.task: \"url\" is required")]
    [InlineData("""{ "type": "http_request", "url": "ftp://example.com/" }""", "$.task.url: \"ftp://example.com/\" is not an absolute http or https URL")]
    [InlineData("""{ "type": "http_request", "url": "/relative" }""", "$.task.url: \"/relative\" is not an absolute http or https URL")]
    [InlineData("""{ "type": "http_request", "url": "http://127.0.0.1/", "method": "GE T" }""", "$.task.method: \"GE T\" is not an HTTP method")]
    [InlineData("""{ "type": "http_request", "url": "http://127.0.0.1/", "headers": { "X": "a\r\nb" } }""", "$.task.headers.X: a header value must not contain CR")]
    [InlineData("""{ "type": "http_request", "url": "http://127.0.0.1/", "expected_status": 99 }""", "$.task.expected_status: 99 is not an HTTP status code")]
    [InlineData("""{ "type": "http_request", "url": "http://127.0.0.1/", "expected_status": ["200"] }""", "$.task.expected_status[0]: expected an HTTP status code, found a string")]
    [InlineData("""{ "type": "http_request", "url": "http://127.0.0.1/", "body": 5 }""", "$.task.body: expected a string, an object or an array, found a number")]
    public void Parse_BadTaskSettings_IsErrorWithPath(string task, string expected)
    {
        var r = Parse($$"""{ "job_id": "x", "schedule": "* * * * *", "task": {{task}} }""");

        Assert.Empty(r.Result.Definitions);
        Assert.Contains(Errors(r), e => e.StartsWith("jobs.d/report.json: " + expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_ShellCommand_KeepsCommandWhole()
    {
        var r = Parse("""{ "job_id": "x", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "echo a | wc -c", "shell": true } }""");

        var cmd = Assert.IsType<CommandTaskSettings>(Assert.Single(r.Result.Definitions).Task.Settings);
        Assert.True(cmd.Shell);
        Assert.Equal("echo a | wc -c", cmd.Command);
        Assert.Empty(cmd.Arguments);
    }

    [Fact]
    public void Parse_ReformattedFile_HasSameFingerprint()
    {
        var a = Parse("""{ "job_id": "x", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        var b = Parse("{\n \"task\": {\"type\":\"execute_command\",\"command\":\"/bin/true\"},\n \"schedule\": \"* * * * *\",\n \"job_id\": \"x\"\n}");
        var c = Parse("""{ "job_id": "x", "schedule": "*/2 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        Assert.Equal(a.Result.Definitions[0].Fingerprint, b.Result.Definitions[0].Fingerprint);
        Assert.NotEqual(a.Result.Definitions[0].Fingerprint, c.Result.Definitions[0].Fingerprint);
    }
}
