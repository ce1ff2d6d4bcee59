using ChronoFlow.Files;
using Microsoft.Extensions.Time.Testing;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public sealed class CrontabFileLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Load_EditedCrontab_KeepsIdsOfUnchangedLines()
    {
        var path = _dir.Write("crontab", "0 1 * * * /bin/a\n0 2 * * * /bin/b\n");
        var loader = new CrontabFileLoader(path, timeProvider: _time);

        var first = loader.Load();
        Assert.Equal(2, first.Added.Length);
        var idOfA = first.Added.Single(d => d.Task.Settings is CommandTaskSettings { Command: "/bin/a" }).JobId;

        _dir.Write("crontab", "# a comment on top\n0 1 * * * /bin/a\n0 3 * * * /bin/c\n");
        var second = loader.Load();

        Assert.Empty(second.Changed);
        Assert.Equal(["/bin/c"], second.Added.Select(d => ((CommandTaskSettings)d.Task.Settings!).Command));
        Assert.Equal(["/bin/b"], second.Removed.Select(d => ((CommandTaskSettings)d.Task.Settings!).Command));
        Assert.Equal("line 2", loader.Current[idOfA].SourceLocation);
        Assert.Same(DefinitionChanges.None, loader.Load());
    }

    [Fact]
    public void Load_BrokenLine_IsReportedOnceOthersLoad()
    {
        var path = _dir.Write("crontab", "0 1 * * * /bin/a\n@often /bin/b\n");
        var loader = new CrontabFileLoader(path, timeProvider: _time);

        var first = loader.Load();

        Assert.Single(first.Added);
        Assert.StartsWith($"{path}: line 2: unknown macro \"@often\"", Assert.Single(first.Diagnostics).ToString(), StringComparison.Ordinal);
        Assert.Empty(loader.Load().Diagnostics);
    }

    [Fact]
    public void Load_LastLineWithoutNewline_WaitsForSettle()
    {
        var path = _dir.Write("crontab", "0 1 * * * /bin/a\n0 2 * * * /usr/bin/bac");
        var loader = new CrontabFileLoader(path, timeProvider: _time);

        var pending = loader.Load();
        Assert.True(pending.HasPendingFiles);
        Assert.Empty(pending.Added);

        File.AppendAllText(path, "kup\n");
        var complete = loader.Load();
        Assert.False(complete.HasPendingFiles);
        Assert.Equal(["/bin/a", "/usr/bin/backup"], complete.Added.Select(d => ((CommandTaskSettings)d.Task.Settings!).Command).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_LastLineWithoutNewlineThatStays_LoadsAfterSettle()
    {
        var path = _dir.Write("crontab", "0 1 * * * /bin/a");
        var loader = new CrontabFileLoader(path, timeProvider: _time);

        Assert.True(loader.Load().HasPendingFiles);
        _time.Advance(TimeSpan.FromSeconds(2));

        Assert.Single(loader.Load().Added);
    }

    [Fact]
    public void Load_TruncatedToEmpty_KeepsJobsUntilSettled()
    {
        var path = _dir.Write("crontab", "@daily /bin/a\n");
        var loader = new CrontabFileLoader(path, timeProvider: _time);
        loader.Load();

        File.WriteAllText(path, string.Empty);
        var during = loader.Load();
        Assert.True(during.HasPendingFiles);
        Assert.Single(loader.Current);

        _time.Advance(TimeSpan.FromSeconds(2));
        var settled = loader.Load();
        Assert.Single(settled.Removed);
        Assert.Empty(loader.Current);
    }

    [Fact]
    public void Load_MissingFile_IsErrorOnceAndRemovesJobs()
    {
        var path = _dir.Write("crontab", "@daily /bin/a\n");
        var loader = new CrontabFileLoader(path, timeProvider: _time);
        loader.Load();

        File.Delete(path);
        var gone = loader.Load();

        Assert.Single(gone.Removed);
        Assert.Equal($"{path}: the crontab file does not exist; no jobs are loaded from it", Assert.Single(gone.Diagnostics).ToString());
        Assert.Empty(loader.Load().Diagnostics);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Load_WorldWritable_IsRefused()
    {
        var path = _dir.Write("crontab", "@daily /bin/a\n");
        File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("646", 8));
        var loader = new CrontabFileLoader(path, timeProvider: _time);

        var changes = loader.Load();

        Assert.Empty(changes.Added);
        Assert.StartsWith($"{path}: BAD FILE MODE: writable by others", Assert.Single(changes.Diagnostics).ToString(), StringComparison.Ordinal);
    }
}
