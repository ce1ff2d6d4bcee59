using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>Where the service keeps job state and run history: <c>sqlite:PATH</c> (the default), <c>postgresql:CONNECTION_STRING</c> (a cluster) or <c>memory</c>.</summary>
/// <param name="Kind">The store kind, as written before the colon.</param>
/// <param name="Target">What follows the colon (a path or a connection string), or <see langword="null"/>.</param>
internal sealed record StoreOption(string Kind, string? Target)
{
    public static readonly StoreOption Memory = new("memory", null);

    public bool IsMemory => Kind == "memory";

    /// <summary>The store as logs show it; a connection string is not shown (it may hold a password).</summary>
    public override string ToString() => Target is null ? Kind : Kind == "postgresql" ? "postgresql:..." : $"{Kind}:{Target}";

    /// <summary>
    /// The default: <c>sqlite:</c> at <c>$STATE_DIRECTORY/chronoflow.db</c> when systemd sets that (<c>StateDirectory=</c>),
    /// else <c>/var/lib/chronoflow/chronoflow.db</c> for root, else <c>$XDG_STATE_HOME/chronoflow/chronoflow.db</c>
    /// (<c>~/.local/state/chronoflow/chronoflow.db</c>).
    /// </summary>
    public static StoreOption Default => new("sqlite", DefaultPath());

    /// <summary>The one reader of <c>--store</c> text. Returns <see langword="null"/> and sets <paramref name="error"/> when it is not usable.</summary>
    public static StoreOption? Parse(string text, out string? error)
    {
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        var target = colon < 0 ? null : text[(colon + 1)..].Trim();
        switch (kind)
        {
            case "memory" when colon < 0:
                return Memory;
            case "sqlite" when !string.IsNullOrEmpty(target):
                return new StoreOption("sqlite", Path.GetFullPath(ExpandHome(target)));
            case "sqlite":
                error = $"--store {text}: sqlite needs a file path, as in sqlite:/var/lib/chronoflow/chronoflow.db";
                return null;
            case "postgresql" or "postgres" when !string.IsNullOrEmpty(target):
                return new StoreOption("postgresql", target);
            case "postgresql" or "postgres":
                error = $"--store {text}: postgresql needs a connection string, as in postgresql:Host=db;Database=chronoflow;Username=chronoflow";
                return null;
            default:
                error = $"--store {kind}:...: expected sqlite:PATH, postgresql:CONNECTION_STRING or memory";
                return null;
        }
    }

    private static string DefaultPath()
    {
        if (Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state)
        {
            // systemd may list several directories, separated by colons: the first is ours.
            return Path.Combine(state.Split(':')[0], "chronoflow.db");
        }

        if (Environment.IsPrivilegedProcess)
        {
            return "/var/lib/chronoflow/chronoflow.db";
        }

        var xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        var stateHome = xdg is { Length: > 0 } && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(stateHome, "chronoflow", "chronoflow.db");
    }

    private static string ExpandHome(string path)
        => path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;
}

/// <summary>The command line of the service, read with System.CommandLine: <c>chronoflow [options]</c>.</summary>
internal sealed record ServiceOptions
{
    public const string DefaultJobsDirectory = "/etc/chronoflow/jobs.d";

    public string JobsDirectory { get; init; } = DefaultJobsDirectory;

    public IReadOnlyList<string> Crontabs { get; init; } = [];

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public bool Check { get; init; }

    public string Node { get; init; } = JobFileSourceOptionsDefaults.NodeName;

    public StoreOption Store { get; init; } = StoreOption.Memory;

    /// <summary>Where <c>--dashboard</c> serves the dashboard and <c>/metrics</c>; <see langword="null"/> for nowhere.</summary>
    public System.Net.IPEndPoint? Dashboard { get; init; }

    /// <summary>For <c>history</c>: the job whose runs to show.</summary>
    public string? HistoryJob { get; init; }

    /// <summary>For <c>history</c>: how many runs to show, newest first.</summary>
    public int HistoryCount { get; init; } = 20;

    /// <summary>For <c>define</c> and <c>remove</c>: the job to define or remove.</summary>
    public string? AdminJob { get; init; }

    /// <summary>For <c>define</c>: the file that holds the definition, or <c>-</c> for standard input.</summary>
    public string? DefinitionFile { get; init; }

    /// <summary>The options and how they read their values.</summary>
    internal sealed class Definition
    {
        private static readonly string[] s_levels = ["DEBUG", "INFO", "WARNING", "ERROR"];

        public Option<string> JobsDirectory { get; } = new("--jobs-dir")
        {
            Description = "Directory of *.json job files, watched for changes",
            HelpName = "DIR",
            Recursive = true,
            DefaultValueFactory = static _ => DefaultJobsDirectory,
        };

        public Option<string[]> Crontabs { get; } = new("--crontab")
        {
            Description = "A crontab file to run as well (m h dom mon dow command); repeatable",
            HelpName = "FILE",
            Recursive = true,
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = false,
        };

        public Option<bool> Check { get; } = new("--check")
        {
            Description = "Validate every file as it is now, print each job's next five runs, and exit (1 when anything is invalid)",
        };

        public Option<LogLevel> LogLevel { get; } = new("--log-level")
        {
            Description = "DEBUG, INFO, WARNING or ERROR",
            HelpName = "LEVEL",
            Recursive = true,
            DefaultValueFactory = static _ => Microsoft.Extensions.Logging.LogLevel.Information,
            CustomParser = static result => ParseLevel(result),
        };

        public Option<string> Node { get; } = new("--node")
        {
            Description = "This process's name in run history and among the ones that run jobs, given to commands as CHRONOFLOW_NODE (default HOST-PID)",
            HelpName = "NAME",
            Recursive = true,
        };

        public Option<StoreOption> Store { get; } = new("--store")
        {
            Description = "Where job state and run history are kept: sqlite:PATH (default: $STATE_DIRECTORY/chronoflow.db, "
                + "else /var/lib/chronoflow/chronoflow.db for root, else ~/.local/state/chronoflow/chronoflow.db), "
                + "postgresql:CONNECTION_STRING (processes on many machines share one schedule) or memory (nothing survives a restart)",
            HelpName = "STORE",
            Recursive = true,
            DefaultValueFactory = static _ => StoreOption.Default,
            CustomParser = static result =>
            {
                var store = StoreOption.Parse(result.Tokens.Single().Value, out var error);
                if (error is not null)
                {
                    result.AddError(error);
                }

                return store ?? StoreOption.Memory;
            },
        };

        public Option<System.Net.IPEndPoint?> Dashboard { get; } = new("--dashboard")
        {
            Description = "Serve the dashboard at /chronoflow/ and Prometheus metrics at /metrics on this address, as in 127.0.0.1:8080 "
                + "(the dashboard answers loopback requests only)",
            HelpName = "HOST:PORT",
            CustomParser = static result =>
            {
                var text = result.Tokens.Single().Value;
                if (System.Net.IPEndPoint.TryParse(text, out var endpoint) && endpoint.Port != 0 && text.Contains(':', StringComparison.Ordinal))
                {
                    return endpoint;
                }

                if (text.StartsWith("localhost:", StringComparison.OrdinalIgnoreCase) && int.TryParse(text["localhost:".Length..], out var port) && port is > 0 and < 65536)
                {
                    return new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port);
                }

                result.AddError($"--dashboard {text}: expected an IP address and a port, as in 127.0.0.1:8080 or [::1]:8080");
                return null;
            },
        };

        public Argument<string> HistoryJob { get; } = new("JOB") { Description = "The job id" };

        public Argument<string> DefineJob { get; } = new("JOB") { Description = "The job id; the definition's job_id, when it has one, must be the same" };

        public Argument<string> DefinitionFile { get; } = new("FILE")
        {
            Description = "A job file's JSON (as in the jobs directory), or - to read it from standard input",
        };

        public Argument<string> RemoveJob { get; } = new("JOB") { Description = "The job id" };

        public Option<int> HistoryCount { get; } = new("-n")
        {
            Description = "How many runs to show, newest first (1 to 1000)",
            HelpName = "N",
            DefaultValueFactory = static _ => 20,
        };

        public Definition()
        {
            HistoryCount.Validators.Add(static result =>
            {
                if (result.GetValueOrDefault<int>() is < 1 or > 1000)
                {
                    result.AddError("-n must be from 1 to 1000");
                }
            });
            LogLevel.CompletionSources.Add(s_levels);
            Store.CompletionSources.Add("sqlite:", "postgresql:", "memory");
            foreach (var option in (Option[])[JobsDirectory, Node])
            {
                option.Validators.Add(static result =>
                {
                    if (result.Tokens.Any(static t => string.IsNullOrWhiteSpace(t.Value)))
                    {
                        result.AddError($"{result.Option.Name} needs a non-empty value");
                    }
                });
            }

            foreach (var argument in (Argument<string>[])[DefineJob, DefinitionFile, RemoveJob])
            {
                argument.Validators.Add(static result =>
                {
                    if (result.Tokens.Any(static t => string.IsNullOrWhiteSpace(t.Value)))
                    {
                        result.AddError($"{result.Argument.Name} needs a non-empty value");
                    }
                });
            }

            Crontabs.Validators.Add(static result =>
            {
                if (result.Tokens.Any(static t => string.IsNullOrWhiteSpace(t.Value)))
                {
                    result.AddError("--crontab needs a non-empty path");
                }
            });
        }

        /// <summary>
        /// The root command; <paramref name="status"/>, <paramref name="history"/>, <paramref name="nodes"/>,
        /// <paramref name="runDue"/>, <paramref name="define"/> and <paramref name="remove"/> are its subcommands, to
        /// which the caller gives actions.
        /// </summary>
        public RootCommand CreateCommand(out Command status, out Command history, out Command nodes, out Command runDue, out Command define, out Command remove)
        {
            var command = new RootCommand(
                "Runs the job files of a directory (and crontab files) on their schedules, reloading them as they change. "
                + "Every run is logged with its job id, its scheduled time (ISO 8601) and SUCCESS or FAILURE. "
                + "Ctrl+C or SIGTERM stops the service; running commands get SIGTERM, then SIGKILL after a grace period.");
            command.Options.Add(JobsDirectory);
            command.Options.Add(Crontabs);
            command.Options.Add(Check);
            command.Options.Add(LogLevel);
            command.Options.Add(Node);
            command.Options.Add(Store);
            command.Options.Add(Dashboard);

            status = new Command("status", "Show each job's schedule, next run, last run and outcome, and counts, as the store has them");
            history = new Command("history", "Show a job's recent runs from the store, newest first: scheduled and started time, duration, outcome, attempt, node, error");
            history.Arguments.Add(HistoryJob);
            history.Options.Add(HistoryCount);
            nodes = new Command(
                "nodes",
                "Show the processes that share the store (its node registry): node, host and pid, status (running, stopped, or lost "
                + "after three missed heartbeats), when each was last seen, its jobs and running runs, and its ChronoFlow version");
            runDue = new Command(
                "run-due",
                "Run what is due by the store (missed runs included, by each job's misfire policy), wait for those runs, and exit: "
                + "0 when all succeeded, 1 when any failed. For a systemd timer or a CI job that drives ChronoFlow without a resident process");
            define = new Command(
                "define",
                "Define a job as data: check FILE (a job file's JSON) and store it, so that every service sharing the store runs it "
                + "from its next sync, as if its file were in each one's jobs directory. Defining it again replaces it");
            define.Arguments.Add(DefineJob);
            define.Arguments.Add(DefinitionFile);
            remove = new Command(
                "remove",
                "Remove a job from every service sharing the store, at each one's next sync, and delete its stored definition; "
                + "its state and history stay. A service whose jobs directory or code has the job brings it back at its next start");
            remove.Arguments.Add(RemoveJob);
            command.Subcommands.Add(status);
            command.Subcommands.Add(history);
            command.Subcommands.Add(nodes);
            command.Subcommands.Add(runDue);
            command.Subcommands.Add(define);
            command.Subcommands.Add(remove);
            return command;
        }

        public ServiceOptions Read(ParseResult result) => new()
        {
            JobsDirectory = result.GetValue(JobsDirectory)!,
            Crontabs = result.GetValue(Crontabs) ?? [],
            Check = result.GetValue(Check),
            LogLevel = result.GetValue(LogLevel),
            Node = result.GetValue(Node) ?? JobFileSourceOptionsDefaults.NodeName,
            Store = result.GetValue(Store)!,
            Dashboard = result.CommandResult.Command is RootCommand ? result.GetValue(Dashboard) : null,
            HistoryJob = result.CommandResult.Command.Name == "history" ? result.GetValue(HistoryJob) : null,
            HistoryCount = result.CommandResult.Command.Name == "history" ? result.GetValue(HistoryCount) : 20,
            AdminJob = result.CommandResult.Command.Name switch
            {
                "define" => result.GetValue(DefineJob),
                "remove" => result.GetValue(RemoveJob),
                _ => null,
            },
            DefinitionFile = result.CommandResult.Command.Name == "define" ? result.GetValue(DefinitionFile) : null,
        };

        private static LogLevel ParseLevel(ArgumentResult result)
        {
            var text = result.Tokens.Single().Value;
            switch (text.ToUpperInvariant())
            {
                case "DEBUG" or "TRACE":
                    return Microsoft.Extensions.Logging.LogLevel.Debug;
                case "INFO" or "INFORMATION":
                    return Microsoft.Extensions.Logging.LogLevel.Information;
                case "WARNING" or "WARN":
                    return Microsoft.Extensions.Logging.LogLevel.Warning;
                case "ERROR":
                    return Microsoft.Extensions.Logging.LogLevel.Error;
                default:
                    result.AddError($"--log-level: \"{text}\" is not a level; expected DEBUG, INFO, WARNING or ERROR");
                    return Microsoft.Extensions.Logging.LogLevel.Information;
            }
        }
    }
}

/// <summary>The service's default node name, as the job files' own default: the host name and the process id.</summary>
internal static class JobFileSourceOptionsDefaults
{
    public static string NodeName => $"{Environment.MachineName}-{Environment.ProcessId}";
}
