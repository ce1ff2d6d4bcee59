using System.Collections.Immutable;
using ChronoFlow.Files;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChronoFlow;

/// <summary>
/// Binds job definition files (a directory of <c>*.json</c> job files and crontab files) to a
/// <see cref="JobScheduler"/>: loads them all at <see cref="StartAsync"/>, then watches them and adds, updates and
/// removes jobs as the files change.
/// </summary>
/// <remarks>
/// <para>
/// <b>Mapping.</b> The schedule text is read once, by <see cref="Schedule.TryParse"/> in the job's zone, when the
/// file is loaded: a cron expression or macro (its <c>H</c> fields seeded by the job id when the scheduler binds it),
/// <c>@reboot</c> (<see cref="Schedule.Startup"/>) or an ISO 8601 instant (<see cref="Schedule.Once(DateTimeOffset)"/>). <c>timeout</c>, <c>max_concurrency</c>,
/// <c>misfire</c>, <c>retry</c>, <c>enabled</c>, <c>description</c> and <c>lock</c> become the matching
/// <see cref="JobOptions"/>. A changed file updates its job with <see cref="JobScheduler.AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>,
/// which keeps the job's history; a deleted file, or one that no longer validates, removes its job.
/// </para>
/// <para>
/// <b>Tasks.</b> <c>execute_command</c> runs the program directly (through a shell only when the definition asks),
/// in its own process group; on timeout or shutdown the group gets SIGTERM, then SIGKILL after
/// <see cref="JobFileSourceOptions.CommandKillGracePeriod"/>. Its output lines go to the log, up to the per-run cap.
/// <c>http_request</c> sends the request and checks the status. A non-zero exit code, an unexpected status, a
/// program that cannot start or a request that gets no response fails the run, so the scheduler records FAILURE.
/// A task type the application registered in <see cref="JobFileSourceOptions.TaskTypes"/> has its settings bound when
/// the file is loaded and runs through its <see cref="JobTaskType"/>; an exception from it fails the run. A
/// system-crontab line runs as its user only as <see cref="JobFileSourceOptions.CrontabHasUserColumn"/> describes,
/// and is refused otherwise.
/// </para>
/// <para>
/// <b>Diagnostics.</b> Every finding (file, JSON path or line, reason) is logged once per file content, errors at
/// <see cref="LogLevel.Error"/> and unknown fields at <see cref="LogLevel.Warning"/>; a broken file never stops the
/// other jobs, and nothing runs from a definition that failed validation. <see cref="Errors"/> lists the errors
/// that currently apply.
/// </para>
/// <para>
/// The source owns only the jobs it added: ids the application registered itself are never touched, and an id
/// already taken by another file source is reported as a duplicate.
/// </para>
/// </remarks>
/// <threadsafety>All members are thread-safe. Reloads are applied one at a time, from timer or thread-pool threads.</threadsafety>
public sealed class JobFileSource : IAsyncDisposable
{
    private const string LogCategory = "ChronoFlow.Files";

    private static readonly Lazy<HttpClient> s_httpClient = new(static () => new HttpClient(new SocketsHttpHandler
    {
        // A long-lived client must still see DNS changes.
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    private readonly object _gate = new();
    private readonly JobScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly CommandRunner _commandRunner;
    private readonly TimeSpan _killGrace;
    private readonly Func<HttpClient>? _httpClientFactory;
    private readonly bool _watch;
    private readonly bool _useFileSystemWatcher;
    private readonly DefinitionWatcherOptions _watcherOptions;
    private readonly UserSwitchHost _userSwitchHost;
    private readonly string _nodeName;
    private readonly Dictionary<string, JobTaskType> _taskTypes;
    private readonly List<Source> _sources = [];

    /// <summary>Job id to the source that registered it.</summary>
    private readonly Dictionary<string, Source> _owners = new(StringComparer.Ordinal);
    private bool _started;
    private bool _disposed;

    /// <summary>Creates a source for <paramref name="scheduler"/>. Nothing is read before <see cref="StartAsync"/>.</summary>
    /// <param name="scheduler">The scheduler that runs the jobs.</param>
    /// <param name="options">Which files to read.</param>
    /// <param name="loggerFactory">Where diagnostics and command output go; <see langword="null"/> for nowhere.</param>
    /// <param name="timeProvider">The clock for debounce, rescans, settle times and command timeouts; <see langword="null"/> takes the scheduler's.</param>
    /// <exception cref="ArgumentNullException"><paramref name="scheduler"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="options"/> names no jobs directory and no crontab, holds an empty path, or registers a task type
    /// name twice.
    /// </exception>
    public JobFileSource(JobScheduler scheduler, JobFileSourceOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
        : this(scheduler, options, loggerFactory, timeProvider, definitionsOnly: false)
    {
    }

    /// <summary>
    /// Creates a source; one that is <paramref name="definitionsOnly"/> reads no file and only binds definitions kept in
    /// the store (<see cref="TryBindStored"/>), with the task types and settings of <paramref name="options"/>.
    /// </summary>
    internal JobFileSource(JobScheduler scheduler, JobFileSourceOptions options, ILoggerFactory? loggerFactory, TimeProvider? timeProvider, bool definitionsOnly)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(options);
        if (!definitionsOnly)
        {
            options.Validate();
        }

        _taskTypes = options.TaskTypesByName();
        _scheduler = scheduler;
        _logger = (ILogger?)loggerFactory?.CreateLogger(LogCategory) ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? scheduler.TimeProvider;
        _commandRunner = new CommandRunner(_timeProvider);
        _killGrace = options.CommandKillGracePeriod;
        _httpClientFactory = options.HttpClientFactory;
        _watch = options.Watch;
        _useFileSystemWatcher = options.UseFileSystemWatcher;
        _watcherOptions = new DefinitionWatcherOptions { Debounce = options.Debounce, RescanInterval = options.RescanInterval };
        _userSwitchHost = options.UserSwitchHost;

        _nodeName = options.NodeName ?? JobFileSourceOptions.DefaultNodeName;

        // A one-shot load (--check) reads every file as it is now: nothing is left for a later scan to settle.
        var settleTime = _watch ? JobFileSourceOptions.SettleTime : TimeSpan.Zero;
        if (!string.IsNullOrEmpty(options.JobsDirectory))
        {
            var loaderOptions = new JobsDirectoryOptions { TaskTypes = _taskTypes, SettleTime = settleTime };
            var loader = new JobsDirectoryLoader(options.JobsDirectory, loaderOptions, _timeProvider);
            _sources.Add(new Source(options.JobsDirectory, options.JobsDirectory, "*.json", loader.Scan, () => loader.CurrentDiagnostics));
        }

        var crontabOptions = new CrontabParseOptions { HasUserColumn = options.CrontabHasUserColumn };
        foreach (var path in options.CrontabFiles)
        {
            var loader = new CrontabFileLoader(path, crontabOptions, _timeProvider, settleTime);
            var full = Path.GetFullPath(path);
            var directory = Path.GetDirectoryName(full) ?? full;
            _sources.Add(new Source(path, directory, Path.GetFileName(full), loader.Load, () => loader.CurrentDiagnostics));
        }
    }

    /// <summary>Gets the errors that currently apply, one line each: <c>file: $.path: reason</c> or <c>file: line N: reason</c>.</summary>
    /// <value>Empty when every definition is valid (warnings are not listed).</value>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_gate)
            {
                return [.. _sources.SelectMany(static s => s.Diagnostics.Concat(s.Rejected.Values)).Where(static d => d.IsError).Select(static d => d.ToString())];
            }
        }
    }

    /// <summary>Gets the ids of the jobs this source has registered with the scheduler, in ordinal order.</summary>
    /// <value>A snapshot.</value>
    public IReadOnlyList<string> JobIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _owners.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>
    /// Reads every file and registers its jobs before returning, then (unless <see cref="JobFileSourceOptions.Watch"/>
    /// is off) watches the files for changes. Call it before <see cref="JobScheduler.StartAsync(CancellationToken)"/> so
    /// the first run sees every job.
    /// </summary>
    /// <param name="cancellationToken">Not used: loading does not wait on anything but the file system.</param>
    /// <returns>A task that completes when every file has been read once.</returns>
    /// <exception cref="InvalidOperationException">The source was already started.</exception>
    /// <exception cref="ObjectDisposedException">The source was disposed.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started)
            {
                throw new InvalidOperationException($"The {nameof(JobFileSource)} was already started.");
            }

            _started = true;
        }

        foreach (var source in _sources)
        {
            if (!_watch)
            {
                // One scan, no timers: the scan and apply run here, on the caller's thread.
                Apply(source, Scan(source));
                continue;
            }

            var captured = source;
            var watcher = new DefinitionWatcher(
                source.WatchDirectory,
                source.Filter,
                () => Scan(captured),
                changes => Apply(captured, changes),
                ex => JobFileSourceLog.WatcherFailed(_logger, ex, captured.Name),
                _watcherOptions,
                _timeProvider);
            lock (_gate)
            {
                if (_disposed)
                {
                    watcher.Dispose();
                    break;
                }

                source.Watcher = watcher;
            }

            // Scans once on this thread, so every job is registered before StartAsync returns.
            watcher.Start(_useFileSystemWatcher);
        }

        lock (_gate)
        {
            JobFileSourceLog.Loaded(_logger, _owners.Count, _sources.Sum(static s => s.Diagnostics.Count(static d => d.IsError) + s.Rejected.Count));
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops watching. The jobs stay registered with the scheduler; runs in flight are stopped by the scheduler's own
    /// shutdown (stop the scheduler first for a graceful end).
    /// </summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        List<DefinitionWatcher> watchers;
        lock (_gate)
        {
            if (_disposed)
            {
                return ValueTask.CompletedTask;
            }

            _disposed = true;
            watchers = [.. _sources.Select(static s => s.Watcher).OfType<DefinitionWatcher>()];
        }

        foreach (var watcher in watchers)
        {
            watcher.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Maps a definition to the scheduler's job options. Internal for tests.</summary>
    internal static JobOptions CreateOptions(JobDefinition definition)
    {
        var options = new JobOptions
        {
            Timeout = definition.Timeout,
            Enabled = definition.Enabled,
            Description = definition.Description,
            LockKey = definition.LockKey,
        };

        if (definition.MaxConcurrency is { } max)
        {
            options.MaxConcurrency = max;
        }

        if (definition.Misfire is { } misfire)
        {
            options.Misfire = misfire.Policy switch
            {
                "skip" => MisfirePolicy.Skip,
                "run_all" => MisfirePolicy.RunAll,
                "run_once" => MisfirePolicy.RunOnce,
                _ => options.Misfire,
            };
            if (misfire.GracePeriod is { } grace)
            {
                options.MisfireGracePeriod = grace;
            }
        }

        if (definition.Retry is { } retry)
        {
            var defaults = new RetryPolicy();
            options.Retry = new RetryPolicy
            {
                MaxAttempts = retry.MaxAttempts,
                BaseDelay = retry.Backoff ?? defaults.BaseDelay,
                MaxDelay = retry.MaxDelay ?? defaults.MaxDelay,
            };
        }

        return options;
    }

    private DefinitionChanges Scan(Source source)
    {
        // Runs under the watcher's own lock, so the loader is never read and written at once.
        var changes = source.Scan();
        var diagnostics = source.CurrentDiagnostics();
        lock (_gate)
        {
            source.Diagnostics = diagnostics;
        }

        return changes;
    }

    private void Apply(Source source, DefinitionChanges changes)
    {
        foreach (var diagnostic in changes.Diagnostics)
        {
            LogDiagnostic(diagnostic);
        }

        lock (_gate)
        {
            if (_disposed && _watch)
            {
                return;
            }

            foreach (var definition in changes.Removed)
            {
                source.Rejected.Remove(definition.JobId);
                if (_owners.TryGetValue(definition.JobId, out var owner) && ReferenceEquals(owner, source))
                {
                    _owners.Remove(definition.JobId);
                    _scheduler.Unregister(definition.JobId);
                }
            }

            foreach (var definition in changes.Added.Concat(changes.Changed))
            {
                Register(source, definition);
            }
        }
    }

    private void Register(Source source, JobDefinition definition)
    {
        var id = definition.JobId;
        source.Rejected.Remove(id);
        if (_owners.TryGetValue(id, out var owner) && !ReferenceEquals(owner, source))
        {
            Reject(source, definition, $"duplicate job_id \"{id}\": already defined by {owner.Name}; this definition is not loaded");
            return;
        }

        if (!ReferenceEquals(owner, source) && _scheduler.GetJob(id) is not null)
        {
            Reject(source, definition, $"job id \"{id}\" is already registered with the scheduler, by the application or another job source; this definition is not loaded");
            return;
        }

        // One path for every task type, built-in or registered.
        var action = definition.Task.TaskType.Prepare(definition.Task.Settings, definition, this, out var taskError);
        if (action is null)
        {
            Reject(source, definition, taskError ?? $"task type \"{definition.Task.Type}\" has no executor in this service; this definition is not loaded");
            return;
        }

        try
        {
            _scheduler.AddOrUpdate(id, definition.Schedule, action, CreateOptions(definition));
            _owners[id] = source;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            Reject(source, definition, ex.Message);
        }
        catch (ObjectDisposedException)
        {
            // The scheduler has stopped: nothing more to register.
        }
    }

    /// <summary>
    /// Binds a job defined as data: <paramref name="definition"/> is the JSON of a job file, whose <c>job_id</c> (when
    /// given) must be <paramref name="jobId"/>. See <see cref="JobFileDefinitionBinder"/>.
    /// </summary>
    /// <exception cref="FormatException">The definition is not valid; the message lists every error with its JSON path.</exception>
    internal bool TryBindStored(string jobId, string definition, out string? reason)
    {
        var parsed = JobFileDefinitionBinder.Read(jobId, definition, _taskTypes, out reason);
        if (parsed is null)
        {
            return false;
        }

        var action = parsed.Task.TaskType.Prepare(parsed.Task.Settings, parsed, this, out var taskError);
        if (action is null)
        {
            reason = taskError ?? $"task type \"{parsed.Task.Type}\" has no executor in this process";
            return false;
        }

        try
        {
            _scheduler.AddOrUpdate(jobId, parsed.Schedule, action, CreateOptions(parsed));
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"{JobFileDefinitionBinder.Describe(jobId)}: {ex.Message}", ex);
        }

        return true;
    }

    /// <summary>What an <c>execute_command</c> job runs here; <see langword="null"/> when its user cannot be switched to.</summary>
    internal Func<JobContext, CancellationToken, ValueTask>? PrepareCommand(JobDefinition definition, CommandTaskSettings command, out string? error)
    {
        error = null;
        var request = CommandRunner.CreateRequest(command, definition.Timeout) with { KillGracePeriod = _killGrace };
        if (definition.RunAsUser is { } user)
        {
            // Never run a system-crontab line as the wrong user: switch with runuser, or refuse the line.
            var prefix = UserSwitch.Plan(user, _userSwitchHost, command.Environment, out error);
            if (error is not null)
            {
                return null;
            }

            if (!prefix.IsEmpty)
            {
                request = request with { Arguments = [.. prefix, .. request.Arguments] };
                JobFileSourceLog.RunsAsUser(_logger, definition.JobId, definition.SourceFile, definition.SourceLocation, user, prefix[0]);
            }
        }

        return (context, token) => RunCommandAsync(context, request, command.OutputFile, token);
    }

    /// <summary>What an <c>http_request</c> job runs here.</summary>
    internal Func<JobContext, CancellationToken, ValueTask> PrepareHttp(JobDefinition definition, HttpTaskSettings http, out string? error)
    {
        error = null;
        var timeout = definition.Timeout;
        return (context, token) => RunHttpAsync(context.JobId, http, timeout, token);
    }

    private void Reject(Source source, JobDefinition definition, string reason)
    {
        var diagnostic = DefinitionDiagnostic.Error(definition.SourceFile, definition.SourceLocation, reason);
        source.Rejected[definition.JobId] = diagnostic;
        LogDiagnostic(diagnostic);

        // A definition that no longer registers must not leave its previous version running.
        if (_owners.TryGetValue(definition.JobId, out var owner) && ReferenceEquals(owner, source))
        {
            _owners.Remove(definition.JobId);
            _scheduler.Unregister(definition.JobId);
        }
    }

    private void LogDiagnostic(DefinitionDiagnostic diagnostic)
    {
        // A finding about a whole file (or the directory) has no location within it.
        if (diagnostic.Location.Length == 0)
        {
            if (diagnostic.IsError)
            {
                JobFileSourceLog.DefinitionFileError(_logger, diagnostic.File, diagnostic.Message);
            }
            else
            {
                JobFileSourceLog.DefinitionFileWarning(_logger, diagnostic.File, diagnostic.Message);
            }
        }
        else if (diagnostic.IsError)
        {
            JobFileSourceLog.DefinitionError(_logger, diagnostic.File, diagnostic.Location, diagnostic.Message);
        }
        else
        {
            JobFileSourceLog.DefinitionWarning(_logger, diagnostic.File, diagnostic.Location, diagnostic.Message);
        }
    }

    private async ValueTask RunCommandAsync(JobContext context, CommandRunRequest request, string? outputFile, CancellationToken cancellationToken)
    {
        var jobId = context.JobId;
        request = request with { Environment = RunEnvironment(context, request.Environment, _nodeName) };
        var tail = new OutputTail(OutputTail.DefaultLines, OutputTail.DefaultLineLength);
        CommandRunResult result;
        var file = outputFile is null ? null : OpenOutputFile(jobId, outputFile);
        try
        {
            result = await _commandRunner.RunAsync(
                request,
                line =>
                {
                    tail.Add(line);
                    file?.WriteLine(line.Text);
                },
                cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (file is not null)
            {
                await file.DisposeAsync().ConfigureAwait(false);
            }
        }

        // The log and the run's history row get a bounded tail: the last lines, each cut to a readable length;
        // output_file keeps it all.
        context.Output = tail.Lines.Count == 0 ? null : string.Join('\n', tail.Lines.Select(static l => l.Text));
        if (tail.Omitted > 0)
        {
            JobFileSourceLog.CommandOutputTail(_logger, jobId, tail.Omitted + tail.Lines.Count, tail.Lines.Count, outputFile ?? "set task.output_file to keep all of it");
        }

        foreach (var line in tail.Lines)
        {
            JobFileSourceLog.CommandOutput(_logger, jobId, line.Stream == CommandOutputStream.StandardOutput ? "stdout" : "stderr", line.Text);
        }

        if (result.OutputTruncated)
        {
            JobFileSourceLog.CommandOutputTruncated(_logger, jobId, request.OutputLimit, result.DroppedBytes);
        }

        if (result.StartError is { } startError)
        {
            throw new JobTaskException($"Job '{jobId}': {startError}");
        }

        JobFileSourceLog.CommandExited(_logger, jobId, result.ExitCode, result.Duration.TotalMilliseconds, result.Killed);
        if (result.Cancelled)
        {
            throw new OperationCanceledException($"Job '{jobId}': the command was stopped{(result.Killed ? " (SIGKILL after the grace period)" : string.Empty)}.", cancellationToken);
        }

        if (result.TimedOut)
        {
            throw new TimeoutException($"Job '{jobId}': the command timed out after {request.Timeout} and was stopped{(result.Killed ? " (SIGKILL after the grace period)" : string.Empty)}.");
        }

        if (result.ExitCode != 0)
        {
            throw new JobTaskException($"Job '{jobId}': the command exited with code {result.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}.");
        }
    }

    /// <summary>
    /// The variables every command run gets on top of its own: <c>CHRONOFLOW_JOB_ID</c>, <c>CHRONOFLOW_SCHEDULED_TIME</c>
    /// (the occurrence, UTC, ISO 8601 round-trip form), <c>CHRONOFLOW_ATTEMPT</c>, <c>CHRONOFLOW_RUN_ID</c> (the run's
    /// id in the job store's history, as <c>chronoflow history</c> shows it; a new GUID per run without a store) and <c>CHRONOFLOW_NODE</c>. They describe the run, so they replace a definition's variables of the same name.
    /// Internal for tests.
    /// </summary>
    internal static IReadOnlyDictionary<string, string> RunEnvironment(JobContext context, IReadOnlyDictionary<string, string>? own, string node)
    {
        var environment = own is null ? new Dictionary<string, string>(StringComparer.Ordinal) : new Dictionary<string, string>(own, StringComparer.Ordinal);
        environment["CHRONOFLOW_JOB_ID"] = context.JobId;
        environment["CHRONOFLOW_SCHEDULED_TIME"] = context.ScheduledTime.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        environment["CHRONOFLOW_ATTEMPT"] = context.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["CHRONOFLOW_RUN_ID"] = context.RunId is { } runId ? runId.ToString(System.Globalization.CultureInfo.InvariantCulture) : Guid.NewGuid().ToString("D");
        environment["CHRONOFLOW_NODE"] = node;
        return environment;
    }

    private StreamWriter? OpenOutputFile(string jobId, string path)
    {
        try
        {
            return new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false)) { AutoFlush = false };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            JobFileSourceLog.OutputFileFailed(_logger, jobId, path, ex.Message);
            return null;
        }
    }

    private async ValueTask RunHttpAsync(string jobId, HttpTaskSettings settings, TimeSpan? jobTimeout, CancellationToken cancellationToken)
    {
        var runner = new HttpTaskRunner(_httpClientFactory?.Invoke() ?? s_httpClient.Value, _timeProvider);
        var result = await runner.RunAsync(settings, jobTimeout, cancellationToken).ConfigureAwait(false);
        JobFileSourceLog.HttpFinished(_logger, jobId, settings.Method, settings.Url, result.StatusCode, result.Duration.TotalMilliseconds);
        if (result.Cancelled)
        {
            throw new OperationCanceledException($"Job '{jobId}': the request was cancelled.", cancellationToken);
        }

        if (result.TimedOut)
        {
            throw new TimeoutException($"Job '{jobId}': {settings.Method} {settings.Url} got no response within {settings.Timeout ?? jobTimeout}.");
        }

        if (result.Error is { } error)
        {
            throw new JobTaskException($"Job '{jobId}': {settings.Method} {settings.Url} failed: {error}");
        }

        if (!result.Succeeded)
        {
            throw new JobTaskException($"Job '{jobId}': {settings.Method} {settings.Url} returned {result.StatusCode}, which is not an expected status.");
        }
    }

    private sealed class Source(string name, string watchDirectory, string filter, Func<DefinitionChanges> scan, Func<ImmutableArray<DefinitionDiagnostic>> currentDiagnostics)
    {
        public string Name { get; } = name;

        public string WatchDirectory { get; } = watchDirectory;

        public string Filter { get; } = filter;

        public Func<DefinitionChanges> Scan { get; } = scan;

        public Func<ImmutableArray<DefinitionDiagnostic>> CurrentDiagnostics { get; } = currentDiagnostics;

        /// <summary>Guarded by the source's gate.</summary>
        public ImmutableArray<DefinitionDiagnostic> Diagnostics { get; set; } = [];

        /// <summary>Definitions the loader accepted but the source could not register, by job id. Guarded by the source's gate.</summary>
        public Dictionary<string, DefinitionDiagnostic> Rejected { get; } = new(StringComparer.Ordinal);

        public DefinitionWatcher? Watcher { get; set; }
    }
}

/// <summary>A file-defined task failed (non-zero exit code, unexpected status, no response).</summary>
internal sealed class JobTaskException(string message) : Exception(message);
