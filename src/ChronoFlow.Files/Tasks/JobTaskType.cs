using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ChronoFlow.Files;

namespace ChronoFlow;

/// <summary>
/// A task type for job files, registered by the application in <see cref="JobFileSourceOptions.TaskTypes"/>: its
/// name (the <c>task.type</c> that selects it), how its settings are bound from the <c>task</c> object, and how a run
/// executes them.
/// </summary>
/// <remarks>
/// <para>
/// <b>Names.</b> 1 to 64 characters: lower-case ASCII letters, digits, <c>_</c>, <c>.</c> and <c>-</c>, starting
/// with a letter or digit (<c>send_mail</c>, <c>acme.backup</c>). Names are matched exactly, so a file that says
/// <c>Send_Mail</c> gets the "unknown task type" error that lists the known names. The built-in types
/// <c>execute_command</c> and <c>http_request</c> cannot be replaced.
/// </para>
/// <para>
/// <b>Binding.</b> When a job file is loaded, its whole <c>task</c> object (the <c>type</c> property included) is
/// deserialized to <c>TTask</c> with System.Text.Json. A value that does not fit, a missing
/// <c>required</c> member, an exception from a constructor or setter, or a <see langword="null"/> result is an error
/// on that file, <c>file: $.task.field: reason</c>: the job is not loaded (a previous version of it is removed),
/// the other files keep running, and the error is logged once per file content and listed in
/// <see cref="JobFileSource.Errors"/>. When <c>TTask</c> implements <see cref="IValidatableObject"/>,
/// each <see cref="ValidationResult"/> it returns is such an error too, at the JSON path of the member it names
/// (data-annotation attributes are not evaluated: that needs reflection over the type). A property of the
/// <c>task</c> object that <c>TTask</c> does not bind is a warning ("unknown field"), as for the
/// built-in types. Changing the <c>task</c> object in the file updates the job.
/// </para>
/// <para>
/// <b>Running.</b> The bound instance is handed to the executor on every run of the job (the same instance each
/// time: treat it as read-only). An exception from the executor fails the run, so the scheduler records FAILURE and
/// retries per the job's <c>retry</c>; an <see cref="OperationCanceledException"/> after the token is cancelled is a
/// timeout or a shutdown cancellation.
/// </para>
/// </remarks>
/// <example>
/// A <c>send_mail</c> type, bound with a source-generated context so it is safe under trimming and native AOT:
/// <code>
/// public sealed record SendMailTask(string To, string Subject);
///
/// [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
/// [JsonSerializable(typeof(SendMailTask))]
/// internal sealed partial class TaskJsonContext : JsonSerializerContext;
///
/// var options = new JobFileSourceOptions { JobsDirectory = "/etc/chronoflow/jobs.d" };
/// options.TaskTypes.Add(JobTaskType.Create("send_mail", TaskJsonContext.Default.SendMailTask,
///     (task, context, cancellationToken) => mailer.SendAsync(task.To, task.Subject, cancellationToken)));
/// await using var source = new JobFileSource(scheduler, options, loggerFactory);
/// await source.StartAsync();
/// </code>
/// A job file then says <c>"task": { "type": "send_mail", "to": "ops@example.com", "subject": "Nightly report" }</c>.
/// </example>
/// <threadsafety>Immutable; safe to share between sources and threads.</threadsafety>
public sealed class JobTaskType
{
    /// <summary>The longest task type name accepted.</summary>
    internal const int MaxNameLength = 64;

    // A type binds either with System.Text.Json (_typeInfo and _deserialize) or with a hand-written reader (_read).
    private readonly JsonTypeInfo? _typeInfo;
    private readonly Func<JsonElement, object?>? _deserialize;
    private readonly Func<JsonFields, object?>? _read;
    private readonly TaskPreparer _prepare;

    private JobTaskType(string name, JsonTypeInfo? typeInfo, Func<JsonElement, object?>? deserialize, Func<JsonFields, object?>? read, TaskPreparer prepare)
    {
        Name = name;
        _typeInfo = typeInfo;
        _deserialize = deserialize;
        _read = read;
        _prepare = prepare;
    }

    /// <summary>How the settings are deserialized; only a type bound with System.Text.Json asks for it.</summary>
    private JsonTypeInfo TypeInfo => _typeInfo ?? throw new InvalidOperationException($"The task type \"{Name}\" is not bound with System.Text.Json.");

    /// <summary>Gets the name that selects this type in a job file's <c>task.type</c>.</summary>
    public string Name { get; }

    /// <summary>
    /// Creates a task type whose settings are bound with <paramref name="settingsTypeInfo"/>, typically from a
    /// source-generated <see cref="JsonSerializerContext"/>: safe under trimming and native AOT. The naming policy
    /// and converters are those of the context (job files use snake_case:
    /// <c>[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]</c>).
    /// </summary>
    /// <typeparam name="TTask">The settings type.</typeparam>
    /// <param name="name">The task type name (see the remarks on <see cref="JobTaskType"/> for the rules).</param>
    /// <param name="settingsTypeInfo">How to deserialize <typeparamref name="TTask"/>.</param>
    /// <param name="execute">Runs one task; see <see cref="IJobTaskExecutor{TTask}.ExecuteAsync"/> for the contract.</param>
    /// <returns>The task type, to add to <see cref="JobFileSourceOptions.TaskTypes"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name or is a built-in type.</exception>
    public static JobTaskType Create<TTask>(string name, JsonTypeInfo<TTask> settingsTypeInfo, Func<TTask, JobContext, CancellationToken, ValueTask> execute)
    {
        ThrowIfInvalidName(name);
        ArgumentNullException.ThrowIfNull(settingsTypeInfo);
        ArgumentNullException.ThrowIfNull(execute);
        return new JobTaskType(
            name,
            settingsTypeInfo,
            element => element.Deserialize(settingsTypeInfo),
            read: null,
            (object settings, JobDefinition _, JobFileSource _, out string? error) =>
            {
                error = null;
                var task = (TTask)settings;
                return (context, cancellationToken) => execute(task, context, cancellationToken);
            });
    }

    /// <summary>
    /// Creates a built-in type (<c>execute_command</c>, <c>http_request</c>): its settings are read and validated
    /// by <paramref name="read"/> from the <c>task</c> object (the <c>type</c> property already read), which adds
    /// every finding to the fields' diagnostics; <paramref name="prepare"/> turns them into what a job runs.
    /// </summary>
    internal static JobTaskType CreateBuiltIn(string name, Func<JsonFields, object?> read, TaskPreparer prepare)
        => new(name, typeInfo: null, deserialize: null, read, prepare);

    /// <summary>
    /// Creates a task type whose settings are bound with <paramref name="settingsTypeInfo"/>, run by
    /// <paramref name="executor"/>.
    /// </summary>
    /// <typeparam name="TTask">The settings type.</typeparam>
    /// <param name="name">The task type name (see the remarks on <see cref="JobTaskType"/> for the rules).</param>
    /// <param name="settingsTypeInfo">How to deserialize <typeparamref name="TTask"/>.</param>
    /// <param name="executor">Runs the tasks; one instance for every run, so it must be safe to call concurrently.</param>
    /// <returns>The task type, to add to <see cref="JobFileSourceOptions.TaskTypes"/>.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name or is a built-in type.</exception>
    public static JobTaskType Create<TTask>(string name, JsonTypeInfo<TTask> settingsTypeInfo, IJobTaskExecutor<TTask> executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return Create(name, settingsTypeInfo, executor.ExecuteAsync);
    }

    /// <summary>
    /// Creates a task type whose settings are bound by reflection. Convenient, but not safe under trimming or native
    /// AOT; use the overload that takes a <see cref="JsonTypeInfo{T}"/> there.
    /// </summary>
    /// <typeparam name="TTask">The settings type.</typeparam>
    /// <param name="name">The task type name (see the remarks on <see cref="JobTaskType"/> for the rules).</param>
    /// <param name="execute">Runs one task; see <see cref="IJobTaskExecutor{TTask}.ExecuteAsync"/> for the contract.</param>
    /// <param name="serializerOptions">
    /// How to bind the settings; <see langword="null"/> for ChronoFlow's job-file defaults: snake_case property
    /// names (<c>WorkingDirectory</c> binds <c>working_directory</c>), case-sensitive, enums as snake_case names (not
    /// numbers), <see cref="TimeSpan"/> as <c>"00:10:00"</c> or ISO 8601 <c>"PT10M"</c> like every other duration in a
    /// job file, and on .NET 9 and later an explicit <see langword="null"/> for a non-nullable reference is an error.
    /// Options given here are copied and used as they are (a reflection resolver is added when they have none).
    /// </param>
    /// <returns>The task type, to add to <see cref="JobFileSourceOptions.TaskTypes"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="execute"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid name or is a built-in type.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="TTask"/> cannot be deserialized with these options.</exception>
    [RequiresUnreferencedCode("Binds TTask by reflection, which trimming can break. Use the overload that takes a JsonTypeInfo<TTask> from a JsonSerializerContext.")]
    [RequiresDynamicCode("Binds TTask by reflection, which native AOT may not support. Use the overload that takes a JsonTypeInfo<TTask> from a JsonSerializerContext.")]
    public static JobTaskType Create<TTask>(string name, Func<TTask, JobContext, CancellationToken, ValueTask> execute, JsonSerializerOptions? serializerOptions = null)
    {
        ThrowIfInvalidName(name);
        ArgumentNullException.ThrowIfNull(execute);
        var options = serializerOptions is null ? CreateDefaultSerializerOptions() : new JsonSerializerOptions(serializerOptions);
        options.TypeInfoResolver ??= new DefaultJsonTypeInfoResolver();
        options.MakeReadOnly();
        var typeInfo = (JsonTypeInfo<TTask>)options.GetTypeInfo(typeof(TTask));
        return Create(name, typeInfo, execute);
    }

    /// <summary>Returns <see langword="null"/> when <paramref name="name"/> is a valid task type name, otherwise the reason.</summary>
    internal static string? ValidateName(string name)
    {
        if (name.Length == 0)
        {
            return "A task type name must not be empty.";
        }

        if (name.Length > MaxNameLength)
        {
            return $"The task type name \"{name[..16]}...\" is {name.Length} characters long; at most {MaxNameLength} are allowed.";
        }

        if (!char.IsAsciiLetterLower(name[0]) && !char.IsAsciiDigit(name[0]))
        {
            return $"The task type name \"{name}\" must start with a lower-case ASCII letter or a digit.";
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c) && c is not ('_' or '.' or '-'))
            {
                return $"The task type name \"{name}\" holds '{c}'; use lower-case ASCII letters, digits, '_', '.' and '-'.";
            }
        }

        return name is TaskDefinition.ExecuteCommand or TaskDefinition.HttpRequest
            ? $"\"{name}\" is a built-in task type and cannot be replaced; register the type under another name."
            : null;
    }

    /// <summary>
    /// Binds the <c>task</c> object (opened as <paramref name="fields"/>, its <c>type</c> read), adding every finding
    /// to the fields' diagnostics. Returns <see langword="null"/> when it does not bind.
    /// </summary>
    internal object? Bind(JsonElement task, JsonFields fields)
    {
        if (_read is not null)
        {
            var read = _read(fields);
            fields.WarnUnknown(Name);
            return read;
        }

        var path = fields.Path;
        var bag = fields.Bag;
        object? settings;
        try
        {
            settings = _deserialize!(task);
        }
        catch (JsonException ex)
        {
            bag.Error(MapPath(path, ex.Path), ConversionMessage(task, ex.Path, ex.Message) ?? JobFileParser.Reason(ex.Message));
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A constructor or setter that validates, or a converter that throws something else: the file is wrong,
            // and the loader must keep going.
            bag.Error(path, $"cannot be bound to {TypeInfo.Type.Name}: {JobFileParser.Reason(ex.Message)}");
            return null;
        }

        if (settings is null)
        {
            bag.Error(path, $"bound to null; expected the settings of a \"{Name}\" task");
            return null;
        }

        var before = bag.Count;
        if (settings is IValidatableObject validatable)
        {
            Validate(validatable, path, bag);
        }

        if (bag.HasErrorsSince(before))
        {
            return null;
        }

        WarnUnknown(task, path, bag);
        return settings;
    }

    /// <summary>
    /// Turns settings that <see cref="Bind"/> returned into what <paramref name="definition"/>'s job runs in
    /// <paramref name="source"/>, or returns <see langword="null"/> and the reason the definition cannot run there.
    /// </summary>
    internal Func<JobContext, CancellationToken, ValueTask>? Prepare(object settings, JobDefinition definition, JobFileSource source, out string? error)
        => _prepare(settings, definition, source, out error);

    [RequiresUnreferencedCode("Uses the reflection-based enum converter.")]
    [RequiresDynamicCode("Uses the reflection-based enum converter.")]
    private static JsonSerializerOptions CreateDefaultSerializerOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
#if NET9_0_OR_GREATER
            RespectNullableAnnotations = true,
#endif
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        options.Converters.Add(new DurationJsonConverter());
        return options;
    }

    private static void ThrowIfInvalidName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (ValidateName(name) is { } error)
        {
            throw new ArgumentException(error, nameof(name));
        }
    }

    /// <summary>How a property of type <paramref name="type"/> is written in JSON, and the kind of JSON value it takes.</summary>
    private static (string What, JsonValueKind Kind) Describe(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return ($"a {type.Name} name", JsonValueKind.String);
        }

        return Type.GetTypeCode(type) switch
        {
            TypeCode.String or TypeCode.Char => ("a string", JsonValueKind.String),
            TypeCode.Boolean => ("true or false", JsonValueKind.True),
            TypeCode.SByte or TypeCode.Byte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64
                => ($"a whole number ({type.Name})", JsonValueKind.Number),
            TypeCode.Single or TypeCode.Double or TypeCode.Decimal => ($"a number ({type.Name})", JsonValueKind.Number),
            TypeCode.DateTime => ("an ISO 8601 date and time", JsonValueKind.String),
            _ when type == typeof(DateTimeOffset) => ("an ISO 8601 date and time with offset", JsonValueKind.String),
            _ when type == typeof(TimeSpan) => ("a duration string such as \"00:10:00\"", JsonValueKind.String),
            _ when type == typeof(Guid) => ("a GUID string", JsonValueKind.String),
            _ when type == typeof(Uri) => ("a URI string", JsonValueKind.String),
            _ => ($"a {type.Name} value", JsonValueKind.Undefined),
        };
    }

    /// <summary>Turns a path relative to the task object (<c>$.port</c>) into one relative to the file (<c>$.task.port</c>).</summary>
    private static string MapPath(string taskPath, string? relative)
        => relative is { Length: > 0 } && relative[0] == '$' ? taskPath + relative[1..] : taskPath;

    /// <summary>
    /// System.Text.Json says only "could not be converted to T", and for constructor parameters T is the declaring
    /// type. For a property of the task object itself, say what was expected and what was found instead.
    /// </summary>
    private string? ConversionMessage(JsonElement task, string? relativePath, string message)
    {
        if (!message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal)
            || relativePath is not { Length: > 2 } || !relativePath.StartsWith("$.", StringComparison.Ordinal)
            || relativePath.AsSpan(2).IndexOfAny(".[") >= 0 || TypeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return null;
        }

        var name = relativePath[2..];
        var comparison = TypeInfo.Options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var property = TypeInfo.Properties.FirstOrDefault(p => string.Equals(p.Name, name, comparison));
        var value = task.EnumerateObject().Where(p => string.Equals(p.Name, name, comparison)).Select(static p => p.Value).FirstOrDefault();
        if (property is null || value.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        var (what, kind) = Describe(property.PropertyType);
        var sameKind = value.ValueKind == kind || (kind == JsonValueKind.True && value.ValueKind == JsonValueKind.False);
        return sameKind ? $"{value.GetRawText()} is not {what}" : $"expected {what}, found {JsonFields.Describe(value)}";
    }

    private void Validate(IValidatableObject settings, string path, DiagnosticsBag bag)
    {
        IEnumerable<ValidationResult> results;
        try
        {
            results = settings.Validate(CreateValidationContext(settings, TypeInfo.Type.Name)).ToList();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            bag.Error(path, $"validation of {TypeInfo.Type.Name} failed: {ex.Message}");
            return;
        }

        foreach (var result in results)
        {
            if (result is null || result == ValidationResult.Success)
            {
                continue;
            }

            var message = string.IsNullOrEmpty(result.ErrorMessage) ? "is not valid" : result.ErrorMessage;
            var members = result.MemberNames.Where(static m => !string.IsNullOrEmpty(m)).ToList();
            if (members.Count == 0)
            {
                bag.Error(path, message);
                continue;
            }

            foreach (var member in members)
            {
                bag.Error(JsonFields.Child(path, JsonNameOf(member)), message);
            }
        }
    }

#if NET9_0_OR_GREATER
    private static ValidationContext CreateValidationContext(object instance, string displayName) => new(instance, displayName, null, null);
#else
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "The constructor stores the instance; only the DisplayName lookup reflects over the type, and DisplayName is set here.")]
    private static ValidationContext CreateValidationContext(object instance, string displayName) => new(instance) { DisplayName = displayName };
#endif

    /// <summary>The JSON name of a .NET member of the settings type, for paths in validation errors.</summary>
    private string JsonNameOf(string member)
    {
        if (TypeInfo.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in TypeInfo.Properties)
            {
                if (property.AttributeProvider is MemberInfo info && info.Name == member)
                {
                    return property.Name;
                }
            }
        }

        return member;
    }

    private void WarnUnknown(JsonElement task, string path, DiagnosticsBag bag)
    {
        // Only a plain object type tells which properties it binds; one with [JsonExtensionData] takes them all.
        if (TypeInfo.Kind != JsonTypeInfoKind.Object || TypeInfo.Properties.Any(static p => p.IsExtensionData))
        {
            return;
        }

        var comparer = TypeInfo.Options.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
        var known = new HashSet<string>(TypeInfo.Properties.Select(static p => p.Name), comparer) { "type" };
        foreach (var property in task.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                bag.Warning(JsonFields.Child(path, property.Name), $"unknown field for {Name}, ignored");
            }
        }
    }
}
