using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using ChronoFlow.Files;
using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>
/// Runs jobs defined as data (<see cref="JobScheduler.Define(string, string)"/>) whose definition is the JSON of a job
/// file: the same fields, the same validation and the same task types as a file in a jobs directory, kept in the job
/// store instead, so that every process sharing the store runs them.
/// </summary>
/// <remarks>
/// <para>
/// <c>job_id</c> may be left out; when given, it must be the id the job is defined under. A definition whose task type
/// this process does not know is not an error: the process leaves the job to those that know it. Any other problem
/// is a <see cref="FormatException"/> that lists every error with its JSON path, as a job file's diagnostics do.
/// </para>
/// <para>
/// The hosting of this package sets one on <see cref="SchedulerOptions.DefinitionBinder"/>, with the task types added
/// on the builder; set one yourself for a scheduler you build without a host.
/// </para>
/// </remarks>
/// <threadsafety>All members are thread-safe.</threadsafety>
public sealed class JobFileDefinitionBinder : IJobDefinitionBinder
{
    private readonly JobFileSourceOptions _options;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly ConditionalWeakTable<JobScheduler, JobFileSource> _sources = [];

    /// <summary>Creates a binder.</summary>
    /// <param name="options">
    /// The task types, beyond the built-in ones, and how tasks run (<see cref="JobFileSourceOptions.CommandKillGracePeriod"/>,
    /// <see cref="JobFileSourceOptions.HttpClientFactory"/>, ...); its paths are not read. <see langword="null"/> for the defaults.
    /// </param>
    /// <param name="loggerFactory">Where command output and task diagnostics go; <see langword="null"/> for nowhere.</param>
    /// <exception cref="ArgumentException"><paramref name="options"/> registers a task type name twice.</exception>
    public JobFileDefinitionBinder(JobFileSourceOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new JobFileSourceOptions();
        _ = _options.TaskTypesByName();
        _loggerFactory = loggerFactory;
    }

    /// <inheritdoc/>
    public bool TryBind(JobScheduler scheduler, string jobId, string definition, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? reason)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(definition);
        var source = _sources.GetValue(scheduler, s => new JobFileSource(s, _options, _loggerFactory, s.TimeProvider, definitionsOnly: true));
        var bound = source.TryBindStored(jobId, definition, out reason);
        reason ??= bound ? null : "it does not run here";
        return bound;
    }

    /// <summary>
    /// Checks a definition as <see cref="TryBind"/> would, without a scheduler: for tools that write definitions to a
    /// store directly.
    /// </summary>
    /// <param name="jobId">The id the job is to be defined under.</param>
    /// <param name="definition">The JSON of a job file.</param>
    /// <param name="taskTypes">The task types beyond the built-in ones; <see langword="null"/> for none.</param>
    /// <returns><see langword="null"/> when the definition is valid; else why a process with these task types would not run it (its task type is unknown), which is allowed.</returns>
    /// <exception cref="FormatException">The definition is not valid; the message lists every error with its JSON path.</exception>
    public static string? Validate(string jobId, string definition, IEnumerable<JobTaskType>? taskTypes = null)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        ArgumentNullException.ThrowIfNull(definition);
        var options = new JobFileSourceOptions();
        foreach (var type in taskTypes ?? [])
        {
            options.TaskTypes.Add(type);
        }

        return Read(jobId, definition, options.TaskTypesByName(), out var reason) is null ? reason : null;
    }

    /// <summary>How diagnostics name a stored definition, where a file's would name the file.</summary>
    internal static string Describe(string jobId) => $"definition of job '{jobId}'";

    /// <summary>Reads a stored definition; <see langword="null"/>, with the reason, when its task type is not known here.</summary>
    /// <exception cref="FormatException">The definition is not valid.</exception>
    internal static JobDefinition? Read(string jobId, string definition, IReadOnlyDictionary<string, JobTaskType> taskTypes, out string? reason)
    {
        reason = null;
        var name = Describe(jobId);
        var (utf8, type) = Prepare(Encoding.UTF8.GetBytes(definition), jobId);
        if (type is not null && !taskTypes.ContainsKey(type))
        {
            reason = $"its task type \"{type}\" is not known in this process (known: {string.Join(", ", taskTypes.Keys.Order(StringComparer.Ordinal))})";
            return null;
        }

        var parsed = JobFileParser.Parse(utf8, name, taskTypes).Result;
        var errors = parsed.Diagnostics.Where(static d => d.IsError).Select(static d => d.ToString()).ToList();
        if (errors.Count == 0 && parsed.Definitions.Length == 1 && parsed.Definitions[0].JobId != jobId)
        {
            errors.Add($"{name}: $.job_id: \"{parsed.Definitions[0].JobId}\" is not the id it is defined under, \"{jobId}\"");
        }

        if (errors.Count != 0 || parsed.Definitions.Length != 1)
        {
            throw new FormatException(errors.Count == 0 ? $"{name}: no job in it" : string.Join("; ", errors));
        }

        return parsed.Definitions[0];
    }

    /// <summary>
    /// Reads, in one pass, the definition's <c>task.type</c>, and gives it the <c>job_id</c> it is stored under when it
    /// leaves it out. Anything but a JSON object is returned as it is, for the parser to say what is wrong, and where.
    /// </summary>
    private static (byte[] Utf8, string? TaskType) Prepare(byte[] utf8, string jobId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8);
        }
        catch (JsonException)
        {
            return (utf8, null);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (utf8, null);
            }

            var type = root.TryGetProperty("task", out var task) && task.ValueKind == JsonValueKind.Object
                && task.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String
                ? t.GetString()
                : null;
            if (root.TryGetProperty("job_id", out _))
            {
                return (utf8, type);
            }

            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteString("job_id", jobId);
                foreach (var property in root.EnumerateObject())
                {
                    property.WriteTo(writer);
                }

                writer.WriteEndObject();
            }

            return (buffer.ToArray(), type);
        }
    }
}
