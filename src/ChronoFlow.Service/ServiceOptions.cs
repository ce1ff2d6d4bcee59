using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>The command line of the service, parsed by hand so the service needs no extra package.</summary>
internal sealed class ServiceOptions
{
    public const string DefaultJobsDirectory = "/etc/chronoflow/jobs.d";

    public const string Usage = """
        Usage: ChronoFlow.Service [options]

        Runs the job files of a directory (and crontab files) on their schedules, reloading them as they change.

        Options:
          --jobs-dir PATH     directory of *.json job files (default /etc/chronoflow/jobs.d)
          --crontab PATH      a crontab file to run as well; repeatable
          --log-level LEVEL   DEBUG, INFO, WARNING or ERROR (default INFO)
          --check             validate every definition, print each job's next five runs, and exit;
                              the exit code is 1 when anything is invalid
          --help              show this help

        Every run is logged with its job id, its time (ISO 8601) and SUCCESS or FAILURE. Ctrl+C or SIGTERM stops
        the service; running commands get SIGTERM, then SIGKILL after a grace period.
        """;

    public string JobsDirectory { get; private set; } = DefaultJobsDirectory;

    public List<string> Crontabs { get; } = [];

    public LogLevel LogLevel { get; private set; } = LogLevel.Information;

    public bool Check { get; private set; }

    public bool Help { get; private set; }

    /// <summary>Parses the arguments; returns <see langword="null"/> and sets <paramref name="error"/> when they are wrong.</summary>
    public static ServiceOptions? Parse(string[] args, out string? error)
    {
        error = null;
        var options = new ServiceOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            switch (arg)
            {
                case "--help" or "-h":
                    options.Help = true;
                    break;
                case "--check":
                    options.Check = true;
                    break;
                case "--jobs-dir":
                    if (Value(args, ref i, arg, inlineValue, out var dir, ref error))
                    {
                        options.JobsDirectory = dir;
                        break;
                    }

                    return null;
                case "--crontab":
                    if (Value(args, ref i, arg, inlineValue, out var crontab, ref error))
                    {
                        options.Crontabs.Add(crontab);
                        break;
                    }

                    return null;
                case "--log-level":
                    if (!Value(args, ref i, arg, inlineValue, out var level, ref error))
                    {
                        return null;
                    }

                    switch (level.ToUpperInvariant())
                    {
                        case "DEBUG":
                            options.LogLevel = LogLevel.Debug;
                            break;
                        case "INFO":
                            options.LogLevel = LogLevel.Information;
                            break;
                        case "WARNING":
                            options.LogLevel = LogLevel.Warning;
                            break;
                        case "ERROR":
                            options.LogLevel = LogLevel.Error;
                            break;
                        default:
                            error = $"--log-level: \"{level}\" is not a level; expected DEBUG, INFO, WARNING or ERROR";
                            return null;
                    }

                    break;
                default:
                    error = $"unknown option \"{args[i]}\"; see --help";
                    return null;
            }
        }

        return options;
    }

    private static bool Value(string[] args, ref int i, string name, string? inlineValue, out string value, ref string? error)
    {
        if (inlineValue is not null)
        {
            value = inlineValue;
        }
        else if (i + 1 < args.Length)
        {
            value = args[++i];
        }
        else
        {
            value = string.Empty;
            error = $"{name} needs a value; see --help";
            return false;
        }

        if (value.Length == 0)
        {
            error = $"{name} needs a non-empty value";
            return false;
        }

        return true;
    }
}
