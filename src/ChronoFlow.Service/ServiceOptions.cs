using System.CommandLine;
using System.CommandLine.Parsing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>Where the service keeps its schedule state: <c>memory</c> now; <c>sqlite:PATH</c> and <c>postgresql:CONN</c> come with the durable store.</summary>
/// <param name="Kind">The store kind, as written before the colon.</param>
/// <param name="Target">What follows the colon (a path or a connection string), or <see langword="null"/>.</param>
internal sealed record StoreOption(string Kind, string? Target)
{
    public static readonly StoreOption Memory = new("memory", null);

    public override string ToString() => Target is null ? Kind : $"{Kind}:{Target}";

    /// <summary>The one reader of <c>--store</c> text. Returns <see langword="null"/> and sets <paramref name="error"/> when it is not usable.</summary>
    public static StoreOption? Parse(string text, out string? error)
    {
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = (colon < 0 ? text : text[..colon]).Trim().ToLowerInvariant();
        switch (kind)
        {
            case "memory" when colon < 0:
                return Memory;
            case "sqlite" or "postgresql":
                error = $"--store {text}: the {kind} store comes with the durable store, which is not in this version; use --store memory (the default)";
                return null;
            default:
                error = $"--store {text}: expected memory (sqlite:PATH and postgresql:CONNECTION come with the durable store)";
                return null;
        }
    }
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

    /// <summary>The options and how they read their values.</summary>
    internal sealed class Definition
    {
        private static readonly string[] s_levels = ["DEBUG", "INFO", "WARNING", "ERROR"];

        public Option<string> JobsDirectory { get; } = new("--jobs-dir")
        {
            Description = "Directory of *.json job files, watched for changes",
            HelpName = "DIR",
            DefaultValueFactory = static _ => DefaultJobsDirectory,
        };

        public Option<string[]> Crontabs { get; } = new("--crontab")
        {
            Description = "A crontab file to run as well (m h dom mon dow command); repeatable",
            HelpName = "FILE",
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
            DefaultValueFactory = static _ => Microsoft.Extensions.Logging.LogLevel.Information,
            CustomParser = static result => ParseLevel(result),
        };

        public Option<string> Node { get; } = new("--node")
        {
            Description = "This process's name among the ones that run jobs, given to commands as CHRONOFLOW_NODE (default HOST-PID)",
            HelpName = "NAME",
        };

        public Option<StoreOption> Store { get; } = new("--store")
        {
            Description = "Where schedule state is kept: memory (sqlite:PATH and postgresql:CONN come with the durable store)",
            HelpName = "STORE",
            DefaultValueFactory = static _ => StoreOption.Memory,
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

        public Definition()
        {
            LogLevel.CompletionSources.Add(s_levels);
            Store.CompletionSources.Add("memory", "sqlite:", "postgresql:");
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

            Crontabs.Validators.Add(static result =>
            {
                if (result.Tokens.Any(static t => string.IsNullOrWhiteSpace(t.Value)))
                {
                    result.AddError("--crontab needs a non-empty path");
                }
            });
        }

        public RootCommand CreateCommand()
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
