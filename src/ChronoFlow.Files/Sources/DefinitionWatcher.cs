namespace ChronoFlow.Files;

/// <summary>Options for <see cref="DefinitionWatcher"/>.</summary>
internal sealed record DefinitionWatcherOptions
{
    /// <summary>How long the watched files must be quiet after a change event before they are read. Default 300 ms.</summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often to rescan anyway, because watchers miss events on some file systems. Default 30 s.</summary>
    public TimeSpan RescanInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How soon to scan again when a scan found a half-written file. Default 1 s.</summary>
    public TimeSpan PendingRetry { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Drives a loader (<see cref="JobsDirectoryLoader.Scan"/> or <see cref="CrontabFileLoader.Load"/>): one scan at
/// <see cref="Start"/>, then a scan after every burst of <see cref="FileSystemWatcher"/> events has been quiet for
/// <see cref="DefinitionWatcherOptions.Debounce"/>, a scan every <see cref="DefinitionWatcherOptions.RescanInterval"/>
/// as a safety net, and a retry after <see cref="DefinitionWatcherOptions.PendingRetry"/> while a file looks
/// half-written. All timers run on the injected <see cref="TimeProvider"/>.
/// </summary>
/// <remarks>
/// Scans never overlap, and <c>onChanges</c> is called for each scan that found something, in order, from a timer
/// or thread-pool thread (the first from the caller of <see cref="Start"/>, so start-up has the whole directory
/// before it goes on). An exception from a scan or from <c>onChanges</c> goes to <c>onError</c>; the watcher keeps
/// running. The watcher is created on the directory (for a crontab, the file's directory filtered to its name), so
/// a directory that does not exist yet is covered by the periodic rescan only.
/// </remarks>
/// <threadsafety>All members are thread-safe.</threadsafety>
internal sealed class DefinitionWatcher : IDisposable
{
    private readonly object _gate = new();
    private readonly Func<DefinitionChanges> _scan;
    private readonly Action<DefinitionChanges> _onChanges;
    private readonly Action<Exception>? _onError;
    private readonly TimeProvider _timeProvider;
    private readonly DefinitionWatcherOptions _options;
    private readonly string _directory;
    private readonly string _filter;
    private ITimer? _debounceTimer;
    private ITimer? _rescanTimer;
    private FileSystemWatcher? _watcher;
    private bool _disposed;

    public DefinitionWatcher(
        string directory,
        string filter,
        Func<DefinitionChanges> scan,
        Action<DefinitionChanges> onChanges,
        Action<Exception>? onError = null,
        DefinitionWatcherOptions? options = null,
        TimeProvider? timeProvider = null)
    {
        _directory = directory;
        _filter = filter;
        _scan = scan;
        _onChanges = onChanges;
        _onError = onError;
        _options = options ?? new DefinitionWatcherOptions();
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>How many scans have run; for diagnostics and tests.</summary>
    public int ScanCount { get; private set; }

    /// <summary>Scans once, then starts watching. Call once.</summary>
    /// <param name="useFileSystemWatcher">Whether to create a <see cref="FileSystemWatcher"/>; without it only the timers drive scans.</param>
    public void Start(bool useFileSystemWatcher = true)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _debounceTimer = _timeProvider.CreateTimer(static s => ((DefinitionWatcher)s!).RunScan(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _rescanTimer = _timeProvider.CreateTimer(static s => ((DefinitionWatcher)s!).RunScan(), this, _options.RescanInterval, _options.RescanInterval);
        }

        RunScan();

        if (useFileSystemWatcher && Directory.Exists(_directory))
        {
            try
            {
                var watcher = new FileSystemWatcher(_directory, _filter)
                {
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.Attributes | NotifyFilters.Security,
                    IncludeSubdirectories = false,
                };
                watcher.Changed += OnEvent;
                watcher.Created += OnEvent;
                watcher.Deleted += OnEvent;
                watcher.Renamed += OnEvent;
                watcher.Error += OnError;
                watcher.EnableRaisingEvents = true;
                lock (_gate)
                {
                    if (_disposed)
                    {
                        watcher.Dispose();
                        return;
                    }

                    _watcher = watcher;
                }
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of inotify watches, or a file system without notifications: the periodic rescan still runs.
                _onError?.Invoke(ex);
            }
        }
    }

    /// <summary>Something in the directory changed: scan once it has been quiet for the debounce time.</summary>
    public void NotifyChanged()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _debounceTimer?.Change(_options.Debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _watcher?.Dispose();
            _debounceTimer?.Dispose();
            _rescanTimer?.Dispose();
        }
    }

    private void OnEvent(object sender, FileSystemEventArgs e) => NotifyChanged();

    private void OnError(object sender, ErrorEventArgs e)
    {
        // The watcher's buffer overflowed: events were lost, so look at everything.
        _onError?.Invoke(e.GetException());
        NotifyChanged();
    }

    private void RunScan()
    {
        // Scans are serialised by the gate's monitor being taken for the whole scan; timer callbacks that arrive
        // meanwhile wait, and then scan again, which is cheap when nothing changed (hash compare).
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                var changes = _scan();
                ScanCount++;
                if (changes.HasPendingFiles)
                {
                    _debounceTimer?.Change(_options.PendingRetry, Timeout.InfiniteTimeSpan);
                }

                if (changes.HasDefinitionChanges || !changes.Diagnostics.IsEmpty)
                {
                    _onChanges(changes);
                }
            }
            catch (Exception ex) when (_onError is not null)
            {
                _onError(ex);
            }
        }
    }
}
