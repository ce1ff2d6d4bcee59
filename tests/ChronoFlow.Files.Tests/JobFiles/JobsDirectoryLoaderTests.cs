using ChronoFlow.Files;
using Microsoft.Extensions.Time.Testing;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public sealed class JobsDirectoryLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly JobsDirectoryLoader _loader;

    public JobsDirectoryLoaderTests()
    {
        _loader = new JobsDirectoryLoader(_dir.Path, new JobsDirectoryOptions(), _time);
    }

    public void Dispose() => _dir.Dispose();

    private static string Job(string id, string schedule = "*/5 * * * *", string command = "/bin/true")
        => $$"""{ "job_id": "{{id}}", "schedule": "{{schedule}}", "task": { "type": "execute_command", "command": "{{command}}" } }""";

    private static string[] Ids(IEnumerable<JobDefinition> definitions) => definitions.Select(d => d.JobId).ToArray();

    private static string[] Texts(DefinitionChanges changes) => changes.Diagnostics.Select(d => d.ToString()).ToArray();

    [Fact]
    public void Scan_ValidFiles_AreAddedInNameOrder()
    {
        _dir.Write("b.json", Job("beta"));
        _dir.Write("a.json", Job("alpha"));
        _dir.Write(".hidden.json", Job("hidden"));
        _dir.Write("notes.txt", "not a job");
        _dir.Write("a.json~", Job("backup"));

        var changes = _loader.Scan();

        Assert.Equal(["alpha", "beta"], Ids(changes.Added));
        Assert.Empty(changes.Diagnostics);
        Assert.False(changes.HasPendingFiles);
        Assert.Equal(_dir.File("a.json"), _loader.Current["alpha"].SourceFile);
    }

    [Fact]
    public void Scan_ModifyDeleteUnchanged_GivesDiffs()
    {
        _dir.Write("a.json", Job("alpha"));
        _dir.Write("b.json", Job("beta"));
        _loader.Scan();

        _dir.Write("a.json", Job("alpha", schedule: "@hourly"));
        File.Delete(_dir.File("b.json"));
        var changes = _loader.Scan();

        Assert.Empty(changes.Added);
        Assert.Equal(["alpha"], Ids(changes.Changed));
        Assert.Equal("@hourly", changes.Changed[0].ScheduleText);
        Assert.Equal(["beta"], Ids(changes.Removed));

        var again = _loader.Scan();
        Assert.False(again.HasDefinitionChanges);
        Assert.Empty(again.Diagnostics);
    }

    [Fact]
    public void Scan_RenameSameContent_ReportsNothingAndFollowsFile()
    {
        _dir.Write("a.json", Job("alpha"));
        _loader.Scan();

        File.Move(_dir.File("a.json"), _dir.File("renamed.json"));
        var changes = _loader.Scan();

        Assert.False(changes.HasDefinitionChanges);
        Assert.Equal(_dir.File("renamed.json"), _loader.Current["alpha"].SourceFile);
    }

    [Fact]
    public void Scan_RenameWithNewId_RemovesOldAddsNew()
    {
        _dir.Write("a.json", Job("alpha"));
        _loader.Scan();

        File.Delete(_dir.File("a.json"));
        _dir.Write("c.json", Job("gamma"));
        var changes = _loader.Scan();

        Assert.Equal(["gamma"], Ids(changes.Added));
        Assert.Equal(["alpha"], Ids(changes.Removed));
    }

    [Fact]
    public void Scan_BrokenFile_IsReportedOnceAndAgainOnlyWhenChanged()
    {
        _dir.Write("good.json", Job("good"));
        var path = _dir.Write("bad.json", """{ "job_id": "bad", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        var first = _loader.Scan();
        Assert.Equal(["good"], Ids(first.Added));
        Assert.Equal([$"{path}: $: \"schedule\" is required (a cron expression, a macro such as @daily, @reboot, an ISO 8601 instant, or an object {{\"calendar\": \"<systemd calendar event>\"}})"], Texts(first));

        Assert.Empty(_loader.Scan().Diagnostics);

        _dir.Write("bad.json", """{ "job_id": "bad", "schedule": "* * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        var second = _loader.Scan();
        Assert.Equal([$"{path}: $.schedule: has 3 fields; a cron expression has 5 (minute hour day-of-month month day-of-week) or 6 (a seconds field first)"], Texts(second));
        Assert.Empty(second.Added);

        _dir.Write("bad.json", Job("bad"));
        var fixedScan = _loader.Scan();
        Assert.Equal(["bad"], Ids(fixedScan.Added));
        Assert.Empty(fixedScan.Diagnostics);
    }

    [Fact]
    public void Scan_ValidFileBecomesInvalid_RemovesItsJob()
    {
        _dir.Write("a.json", Job("alpha"));
        _loader.Scan();

        _dir.Write("a.json", """{ "job_id": "alpha", "schedule": "@daily", "task": { "type": "nope" } }""");
        var changes = _loader.Scan();

        Assert.Equal(["alpha"], Ids(changes.Removed));
        Assert.Equal(2, changes.Diagnostics.Length);
        Assert.Contains(Texts(changes), static t => t.Contains("unknown task type \"nope\"", StringComparison.Ordinal));
        Assert.Contains(Texts(changes), static t => t.Contains("job \"alpha\" is stopped", StringComparison.Ordinal));
        Assert.Empty(_loader.Current);
    }

    [Fact]
    public void Scan_UnknownField_WarnsOnceAndLoads()
    {
        var path = _dir.Write("a.json", """{ "job_id": "alpha", "schedule": "@daily", "colour": "red", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        var changes = _loader.Scan();

        Assert.Equal(["alpha"], Ids(changes.Added));
        var warning = Assert.Single(changes.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
        Assert.Equal($"{path}: $.colour: unknown field, ignored", warning.ToString());
        Assert.Empty(_loader.Scan().Diagnostics);
    }

    [Fact]
    public void Scan_DuplicateId_LaterFileIsErrorEarlierKeepsRunning()
    {
        var a = _dir.Write("a.json", Job("same", command: "/bin/a"));
        var b = _dir.Write("b.json", Job("same", command: "/bin/b"));

        var first = _loader.Scan();

        var added = Assert.Single(first.Added);
        Assert.Equal(a, added.SourceFile);
        Assert.Equal([$"{b}: $.job_id: duplicate job_id \"same\": already defined by {a}; this file is not loaded"], Texts(first));

        // A new file that sorts first does not take the id from the file that has it.
        var zero = _dir.Write("0.json", Job("same", command: "/bin/zero"));
        var second = _loader.Scan();
        Assert.False(second.HasDefinitionChanges);
        Assert.Equal([$"{zero}: $.job_id: duplicate job_id \"same\": already defined by {a}; this file is not loaded"], Texts(second));
        Assert.Empty(_loader.Scan().Diagnostics);

        // When the owner goes, the first remaining file in name order takes the id over.
        File.Delete(a);
        var third = _loader.Scan();
        var changed = Assert.Single(third.Changed);
        Assert.Equal(zero, changed.SourceFile);
        Assert.Equal(["/bin/zero"], Assert.IsType<CommandTaskSettings>(changed.Task.Settings).Arguments.ToArray());
        Assert.Equal([$"{b}: $.job_id: duplicate job_id \"same\": already defined by {zero}; this file is not loaded"], Texts(third));
    }

    [Fact]
    public void Scan_OwnerTurnsInvalid_KeepsItsIdStopsTheJobAndTheOtherFileStaysRefused()
    {
        // Issue 9: the id used to pass silently to the other file's definition, with no line naming the broken file.
        var a = _dir.Write("a.json", Job("same", command: "/bin/a"));
        var b = _dir.Write("b.json", Job("same", command: "/bin/b"));
        _loader.Scan();

        _dir.Write("a.json", """{ "job_id": "same", "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/a" } }""");
        var broken = _loader.Scan();

        Assert.Equal(["same"], Ids(broken.Removed));
        Assert.Empty(broken.Added);
        Assert.Empty(broken.Changed);
        Assert.False(_loader.Current.ContainsKey("same"));
        Assert.Contains($"{a}: job \"same\" is stopped: this file defined it and is now invalid; it keeps the id until it is fixed or deleted", Texts(broken));
        Assert.Contains(
            $"{b}: $.job_id: duplicate job_id \"same\": claimed by {a}, which is invalid now (its job is stopped until it is fixed or deleted); this file is not loaded",
            Texts(broken));
        Assert.Contains(Texts(broken), t => t.StartsWith($"{a}: $.schedule: minute: 61", StringComparison.Ordinal));
        Assert.Empty(_loader.Scan().Diagnostics);

        // Fixed: the file gets its job back, and the other file is still the duplicate.
        _dir.Write("a.json", Job("same", command: "/bin/a2"));
        var fixedScan = _loader.Scan();
        Assert.Equal(a, Assert.Single(fixedScan.Added).SourceFile);

        // Deleted while invalid: the claim ends and the other file takes the id, saying so.
        _dir.Write("a.json", "{ \"job_id\": 5 }");
        _loader.Scan();
        File.Delete(a);
        var deleted = _loader.Scan();
        Assert.Equal(b, Assert.Single(deleted.Added).SourceFile);
    }

    [Fact]
    public void Scan_NoSettleTime_ReportsAFileWrittenJustNowAtOnce()
    {
        // --check reads files as they are: a broken file written a moment ago is an error, not "still being written".
        var loader = new JobsDirectoryLoader(_dir.Path, new JobsDirectoryOptions { SettleTime = TimeSpan.Zero }, _time);
        var path = _dir.Write("half.json", """{ "job_id": "half", "sched""");

        var changes = loader.Scan();

        Assert.False(changes.HasPendingFiles);
        Assert.Contains(Texts(changes), t => t.StartsWith($"{path}: line 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_HalfWrittenNewFile_WaitsUntilComplete()
    {
        _dir.Write("a.json", """{ "job_id": "alpha", "sched""");

        var first = _loader.Scan();
        Assert.True(first.HasPendingFiles);
        Assert.Empty(first.Diagnostics);
        Assert.Empty(first.Added);

        _time.Advance(TimeSpan.FromMilliseconds(500));
        File.AppendAllText(_dir.File("a.json"), """ule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        var second = _loader.Scan();

        Assert.False(second.HasPendingFiles);
        Assert.Empty(second.Diagnostics);
        Assert.Equal(["alpha"], Ids(second.Added));
    }

    [Fact]
    public void Scan_HalfWrittenFileThatStaysBroken_IsReportedAfterSettleTime()
    {
        var path = _dir.Write("a.json", "{ \"job_id\": \"alpha\",\n  \"schedule\": ");

        Assert.True(_loader.Scan().HasPendingFiles);
        _time.Advance(TimeSpan.FromSeconds(1));
        var stillPending = _loader.Scan();
        Assert.True(stillPending.HasPendingFiles);
        Assert.Empty(stillPending.Diagnostics);

        _time.Advance(TimeSpan.FromSeconds(1.5));
        var settled = _loader.Scan();

        Assert.False(settled.HasPendingFiles);
        var error = Assert.Single(settled.Diagnostics);
        Assert.StartsWith($"{path}: line 2, position ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("invalid JSON", error.Message, StringComparison.Ordinal);
        Assert.Empty(_loader.Scan().Diagnostics);
    }

    [Fact]
    public void Scan_BrokenFileWithOldTimestamp_IsReportedAtOnce()
    {
        var path = _dir.Write("a.json", "{ not json");
        _time.SetUtcNow(File.GetLastWriteTimeUtc(path) + TimeSpan.FromMinutes(5));

        var changes = _loader.Scan();

        Assert.False(changes.HasPendingFiles);
        Assert.Single(changes.Diagnostics);
    }

    [Fact]
    public void Scan_TruncateAndRewrite_KeepsJobWhileWriting()
    {
        _dir.Write("a.json", Job("alpha"));
        _loader.Scan();

        File.WriteAllText(_dir.File("a.json"), string.Empty);
        var during = _loader.Scan();
        Assert.True(during.HasPendingFiles);
        Assert.False(during.HasDefinitionChanges);
        Assert.True(_loader.Current.ContainsKey("alpha"));

        File.WriteAllText(_dir.File("a.json"), Job("alpha", schedule: "@weekly"));
        var after = _loader.Scan();
        Assert.Equal(["alpha"], Ids(after.Changed));
        Assert.False(after.HasPendingFiles);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Scan_InsecureFile_IsRefusedUntilFixed()
    {
        var path = _dir.Write("a.json", Job("alpha"));
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("666", 8));

        var refused = _loader.Scan();
        Assert.Empty(refused.Added);
        Assert.StartsWith($"{path}: BAD FILE MODE: writable by others (mode 0666)", Assert.Single(refused.Diagnostics).ToString(), StringComparison.Ordinal);
        Assert.Empty(_loader.Scan().Diagnostics);

        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("644", 8));
        Assert.Equal(["alpha"], Ids(_loader.Scan().Added));

        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("646", 8));
        var again = _loader.Scan();
        Assert.Equal(["alpha"], Ids(again.Removed));
        Assert.Contains(Texts(again), t => t.StartsWith($"{path}: BAD FILE MODE: writable by others (mode 0646)", StringComparison.Ordinal));
        Assert.Contains(Texts(again), static t => t.Contains("job \"alpha\" is stopped", StringComparison.Ordinal));
    }

    [Fact]
    public void Scan_MissingDirectory_IsReportedOnce()
    {
        var loader = new JobsDirectoryLoader(_dir.File("missing"), timeProvider: _time);

        var first = loader.Scan();
        Assert.Equal([$"{_dir.File("missing")}: the jobs directory does not exist; no jobs are loaded from it"], Texts(first));
        Assert.Empty(loader.Scan().Diagnostics);
    }

    [Fact]
    public void CurrentDiagnostics_MissingDirectory_ListsItsErrorUntilItExists()
    {
        var missing = _dir.File("missing");
        var loader = new JobsDirectoryLoader(missing, timeProvider: _time);

        loader.Scan();
        loader.Scan();
        var whileMissing = loader.CurrentDiagnostics.Select(d => d.ToString()).ToArray();
        Directory.CreateDirectory(missing);
        loader.Scan();

        // A --check listing reads CurrentDiagnostics: a missing directory must not pass as "no errors".
        Assert.Equal([$"{missing}: the jobs directory does not exist; no jobs are loaded from it"], whileMissing);
        Assert.Empty(loader.CurrentDiagnostics);
    }
}
