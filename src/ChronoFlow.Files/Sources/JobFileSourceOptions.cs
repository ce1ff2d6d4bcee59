using ChronoFlow.Files;

namespace ChronoFlow;

/// <summary>Where a <see cref="JobFileSource"/> reads job definitions from, and how it runs their tasks.</summary>
/// <threadsafety>Set the options before handing them to <see cref="JobFileSource"/>; the source reads them once, at construction.</threadsafety>
public class JobFileSourceOptions
{
    /// <summary>Gets or sets the directory of <c>*.json</c> job files, or <see langword="null"/> for none.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? JobsDirectory { get; set; }

    /// <summary>Gets the crontab files to load (<c>m h dom mon dow command</c> lines).</summary>
    /// <value>Default empty.</value>
    public IList<string> CrontabFiles { get; } = new List<string>();

    /// <summary>
    /// Gets or sets a value indicating whether the crontab files have a user column (system crontabs such as
    /// <c>/etc/crontab</c>: <c>m h dom mon dow user command</c>).
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    /// <remarks>
    /// A line never runs as the wrong user. A line whose user is the one the service runs as runs as usual. Any other
    /// user needs the service to run as root on Linux (or another Unix with util-linux): the command then runs through
    /// <c>runuser -u USER -- COMMAND</c>, which sets <c>HOME</c>, <c>USER</c> and <c>LOGNAME</c> for that user (the
    /// rest of the environment is kept, and a crontab <c>HOME=</c> line still wins, as in cron) and opens a PAM session; it stays in the run's process group, so
    /// timeouts and shutdown stop it as any command. Otherwise the line is refused with an error naming the file, the
    /// line and the user, and the other lines load: <c>/etc/crontab: line 7: runs as 'bob', but this service runs as
    /// 'alice' and cannot switch users (only root can); this line is not loaded</c>. A user that does not exist, or a
    /// machine without <c>runuser</c>, is refused the same way. On Windows only lines of the service's own user run.
    /// </remarks>
    public bool CrontabHasUserColumn { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether to watch the files after the first load and apply added, changed and
    /// deleted definitions. Turn it off for a one-shot validation such as <c>--check</c>.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool Watch { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a command that is stopped (timeout or shutdown) has between SIGTERM and SIGKILL.
    /// </summary>
    /// <value>Default 5 seconds.</value>
    public TimeSpan CommandKillGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets the task types that job files may use besides the built-in <c>execute_command</c> and
    /// <c>http_request</c>; see <see cref="JobTaskType"/>. A file whose <c>task.type</c> is neither built in nor listed
    /// here is an error that names the known types.
    /// </summary>
    /// <value>Default empty. Each name may appear once.</value>
    public IList<JobTaskType> TaskTypes { get; } = new List<JobTaskType>();

    /// <summary>
    /// Gets or sets where <c>http_request</c> tasks get their <see cref="HttpClient"/>: called once per run, and the
    /// client is not disposed. Hosting sets it to the application's <c>IHttpClientFactory</c> (the named client
    /// <c>ChronoFlow</c>), so handlers, proxies and resilience configured there apply.
    /// </summary>
    /// <value>
    /// Default <see langword="null"/>: one shared client whose connections are recycled every two minutes, so that DNS
    /// changes are seen. Request timeouts come from the task's <c>timeout</c> or the job's; a client from a factory also
    /// applies its own <see cref="HttpClient.Timeout"/> (100 seconds unless configured), so raise that for longer requests.
    /// </value>
    public Func<HttpClient>? HttpClientFactory { get; set; }

    /// <summary>
    /// Gets or sets the name of this process among the ones that run jobs, given to every <c>execute_command</c> run as
    /// <c>CHRONOFLOW_NODE</c> (with <c>CHRONOFLOW_JOB_ID</c>, <c>CHRONOFLOW_SCHEDULED_TIME</c>, <c>CHRONOFLOW_ATTEMPT</c>
    /// and <c>CHRONOFLOW_RUN_ID</c>).
    /// </summary>
    /// <value>Default <see langword="null"/>: the host name and the process id, <c>HOST-PID</c>.</value>
    public string? NodeName { get; set; }

    /// <summary>Gets the node name used when <see cref="NodeName"/> is not set: the host name and the process id.</summary>
    internal static string DefaultNodeName => $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>How long a file that looks half-written must stay unchanged before it is read as it is (watching only).</summary>
    internal static TimeSpan SettleTime => TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how often the files are read again even without change events. Internal: tests shorten it.</summary>
    internal TimeSpan RescanInterval { get; set; } = new DefinitionWatcherOptions().RescanInterval;

    /// <summary>Gets or sets the quiet time after a change event before the files are read.</summary>
    internal TimeSpan Debounce { get; set; } = new DefinitionWatcherOptions().Debounce;

    /// <summary>Gets or sets who the service runs as and how it can switch users. Internal: tests play other users.</summary>
    internal UserSwitchHost UserSwitchHost { get; set; } = UserSwitchHost.Current;

    /// <summary>Gets or sets whether a <see cref="FileSystemWatcher"/> is used; without it only the timers drive reloads (tests on a fake clock).</summary>
    internal bool UseFileSystemWatcher { get; set; } = true;

    internal void Validate()
    {
        if (string.IsNullOrEmpty(JobsDirectory) && CrontabFiles.Count == 0)
        {
            throw new ArgumentException($"{nameof(JobFileSourceOptions)}: set {nameof(JobsDirectory)} or add at least one path to {nameof(CrontabFiles)}.", "options");
        }

        foreach (var path in CrontabFiles)
        {
            if (string.IsNullOrEmpty(path))
            {
                throw new ArgumentException($"{nameof(JobFileSourceOptions)}.{nameof(CrontabFiles)} holds an empty path.", "options");
            }
        }

        if (CommandKillGracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(JobFileSourceOptions)}.{nameof(CommandKillGracePeriod)} must not be negative, not {CommandKillGracePeriod}.", "options");
        }

        _ = TaskTypesByName();
    }

    /// <summary>
    /// The task types by name: the built-in ones and the registered ones, in one table; throws when one is null or a
    /// name is registered twice.
    /// </summary>
    internal Dictionary<string, JobTaskType> TaskTypesByName()
    {
        for (var i = 0; i < TaskTypes.Count; i++)
        {
            _ = TaskTypes[i] ?? throw new ArgumentException($"{nameof(JobFileSourceOptions)}.{nameof(TaskTypes)}[{i}] is null.", "options");
        }

        return BuiltInTaskTypes.CreateTable(TaskTypes, $"{nameof(JobFileSourceOptions)}.{nameof(TaskTypes)}");
    }
}
