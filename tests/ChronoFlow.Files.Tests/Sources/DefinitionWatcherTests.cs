using System.Collections.Concurrent;
using ChronoFlow.Files;
using Microsoft.Extensions.Time.Testing;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

public sealed class DefinitionWatcherTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new();
    private readonly ConcurrentQueue<DefinitionChanges> _changes = new();
    private readonly ConcurrentQueue<Exception> _errors = new();
    private readonly DefinitionWatcherOptions _options = new()
    {
        Debounce = TimeSpan.FromMilliseconds(300),
        RescanInterval = TimeSpan.FromSeconds(30),
        PendingRetry = TimeSpan.FromSeconds(1),
    };

    public void Dispose() => _dir.Dispose();

    private static string Job(string id) => $$"""{ "job_id": "{{id}}", "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }""";

    private DefinitionWatcher Create(JobsDirectoryLoader loader)
        => new(_dir.Path, "*.json", loader.Scan, _changes.Enqueue, _errors.Enqueue, _options, _time);

    [Fact]
    public void Start_ScansAtOnce()
    {
        _dir.Write("a.json", Job("alpha"));
        using var watcher = Create(new JobsDirectoryLoader(_dir.Path, timeProvider: _time));

        watcher.Start(useFileSystemWatcher: false);

        var changes = Assert.Single(_changes);
        Assert.Equal("alpha", Assert.Single(changes.Added).JobId);
        Assert.Equal(1, watcher.ScanCount);
    }

    [Fact]
    public void NotifyChanged_ScansAfterQuietDebounce()
    {
        using var watcher = Create(new JobsDirectoryLoader(_dir.Path, timeProvider: _time));
        watcher.Start(useFileSystemWatcher: false);

        _dir.Write("a.json", Job("alpha"));
        watcher.NotifyChanged();
        _time.Advance(TimeSpan.FromMilliseconds(200));
        watcher.NotifyChanged();
        _time.Advance(TimeSpan.FromMilliseconds(299));
        Assert.Equal(1, watcher.ScanCount);

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, watcher.ScanCount);
        Assert.Equal("alpha", Assert.Single(_changes).Added.Single().JobId);
    }

    [Fact]
    public void PeriodicRescan_FindsChangesWithoutEvents()
    {
        using var watcher = Create(new JobsDirectoryLoader(_dir.Path, timeProvider: _time));
        watcher.Start(useFileSystemWatcher: false);

        _dir.Write("a.json", Job("alpha"));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(_changes);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("alpha", Assert.Single(_changes).Added.Single().JobId);
    }

    [Fact]
    public void PendingFile_IsRetriedUntilSettled()
    {
        var loader = new JobsDirectoryLoader(_dir.Path, new JobsDirectoryOptions { SettleTime = TimeSpan.FromSeconds(2) }, _time);
        using var watcher = Create(loader);
        _dir.Write("a.json", "{ \"job_id\": ");

        watcher.Start(useFileSystemWatcher: false);
        Assert.Empty(_changes);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, watcher.ScanCount);
        Assert.Empty(_changes);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(3, watcher.ScanCount);
        Assert.Contains("invalid JSON", Assert.Single(Assert.Single(_changes).Diagnostics).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ScanThatThrows_GoesToOnErrorAndWatcherKeepsRunning()
    {
        var calls = 0;
        using var watcher = new DefinitionWatcher(_dir.Path, "*.json", () => ++calls == 1 ? throw new InvalidOperationException("boom") : DefinitionChanges.None, _changes.Enqueue, _errors.Enqueue, _options, _time);

        watcher.Start(useFileSystemWatcher: false);
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("boom", Assert.Single(_errors).Message);
        Assert.Equal(2, calls);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task FileSystemWatcher_NewFile_IsLoadedWithoutRescan()
    {
        var loaded = new TaskCompletionSource<DefinitionChanges>(TaskCreationOptions.RunContinuationsAsynchronously);
        var loader = new JobsDirectoryLoader(_dir.Path);
        using var watcher = new DefinitionWatcher(
            _dir.Path,
            "*.json",
            loader.Scan,
            c =>
            {
                if (!c.Added.IsEmpty)
                {
                    loaded.TrySetResult(c);
                }
            },
            _errors.Enqueue,
            new DefinitionWatcherOptions { Debounce = TimeSpan.FromMilliseconds(100), RescanInterval = TimeSpan.FromHours(1) });
        watcher.Start();

        // Save the way editors do: write a temporary dot-file, then rename it into place.
        var temp = _dir.Write(".a.json.tmp", Job("alpha"));
        File.Move(temp, _dir.File("a.json"));

        var changes = await loaded.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("alpha", Assert.Single(changes.Added).JobId);
        Assert.Empty(_errors);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task FileSystemWatcher_EditedCrontab_IsReloaded()
    {
        var path = _dir.Write("crontab", "0 1 * * * /bin/a\n");
        var loader = new CrontabFileLoader(path);
        var edited = new TaskCompletionSource<DefinitionChanges>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watcher = new DefinitionWatcher(
            _dir.Path,
            "crontab",
            loader.Load,
            c =>
            {
                if (c.Added.Any(d => d.Task.Settings is CommandTaskSettings { Command: "/bin/b" }))
                {
                    edited.TrySetResult(c);
                }
            },
            _errors.Enqueue,
            new DefinitionWatcherOptions { Debounce = TimeSpan.FromMilliseconds(100), RescanInterval = TimeSpan.FromHours(1) });
        watcher.Start();
        Assert.Single(loader.Current);

        // Truncate and write, in several writes, as some editors do.
        await using (var stream = new FileStream(path, FileMode.Truncate, FileAccess.Write))
        {
            await stream.WriteAsync("0 1 * * * /bin/a\n"u8.ToArray());
            await stream.FlushAsync();
            await stream.WriteAsync("0 2 * * * /bin/b\n"u8.ToArray());
        }

        var changes = await edited.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Empty(changes.Removed);
        Assert.Equal(2, loader.Current.Count);
    }
}
