using System.Collections.Immutable;
using System.Text.Json;

namespace ChronoFlow.Files;

/// <summary>
/// Validates the <c>task</c> object of a job file: <c>{ "type": "...", ... }</c>. The type is looked up in one table
/// of <see cref="JobTaskType"/>s (the built-in ones and those the application registered) and binds its settings;
/// any other type is an error that lists the known types. The readers of the built-in types' settings live here.
/// </summary>
internal static class TaskSettingsParser
{
    /// <summary>The largest <c>output_limit</c> accepted: 64 MiB.</summary>
    public const long MaxOutputLimit = 64L * 1024 * 1024;

    public static TaskDefinition? Parse(JsonElement element, string path, DiagnosticsBag bag, IReadOnlyDictionary<string, JobTaskType>? taskTypes)
    {
        var fields = JsonFields.Open(element, path, bag);
        if (fields is null)
        {
            return null;
        }

        var type = fields.String("type", required: true, what: "the task type, such as \"execute_command\"");
        if (type is null)
        {
            return null;
        }

        var known = taskTypes ?? BuiltInTaskTypes.Table;
        if (!known.TryGetValue(type, out var taskType))
        {
            bag.Error(fields.PathOf("type"), $"unknown task type \"{type}\"; known types are {string.Join(", ", known.Keys.Order(StringComparer.Ordinal))}");
            return null;
        }

        var errorsBefore = bag.Count;
        var settings = taskType.Bind(element, fields);
        if (settings is null || bag.HasErrorsSince(errorsBefore))
        {
            return null;
        }

        return new TaskDefinition(taskType, element.Clone(), settings);
    }

    internal static CommandTaskSettings? ParseCommand(JsonFields fields)
    {
        var bag = fields.Bag;
        var before = bag.Count;
        var shell = fields.Boolean("shell") ?? false;
        var command = fields.String("command", what: "a command line string");
        ImmutableArray<string> arguments = [];

        var hasArgs = fields.TryGet("args", out var argsElement);
        if (command is not null && hasArgs)
        {
            bag.Error(fields.PathOf("args"), "give \"command\" or \"args\", not both");
        }
        else if (command is null && !hasArgs && !fields.Has("command"))
        {
            bag.Error(fields.Path, "\"command\" (a command line) or \"args\" (an array of strings) is required");
        }
        else if (hasArgs)
        {
            if (shell)
            {
                bag.Error(fields.PathOf("args"), "\"shell\": true takes \"command\" (the shell command line), not \"args\"");
            }
            else
            {
                arguments = ParseArgs(argsElement, fields.PathOf("args"), bag);
            }
        }
        else if (command is not null)
        {
            if (command.Contains('\0', StringComparison.Ordinal))
            {
                bag.Error(fields.PathOf("command"), "contains a NUL character");
            }
            else if (shell)
            {
                if (command.AsSpan().Trim().IsEmpty)
                {
                    bag.Error(fields.PathOf("command"), "is empty");
                }
            }
            else
            {
                var error = CommandLineSplitter.TrySplit(command, out arguments);
                if (error is not null)
                {
                    bag.Error(fields.PathOf("command"), error);
                }
            }
        }

        var environment = fields.StringMap("environment", ValidateEnvironmentName);
        if (environment is { } env)
        {
            foreach (var pair in env)
            {
                if (pair.Value.Contains('\0', StringComparison.Ordinal))
                {
                    bag.Error(JsonFields.Child(fields.PathOf("environment"), pair.Key), "contains a NUL character");
                }
            }
        }

        var workingDirectory = fields.String("working_directory", what: "an absolute directory path");
        if (workingDirectory is not null && !Path.IsPathFullyQualified(workingDirectory))
        {
            bag.Error(fields.PathOf("working_directory"), $"\"{workingDirectory}\" is not an absolute path");
        }

        var outputLimit = fields.Integer("output_limit", 0, MaxOutputLimit);
        var outputFile = fields.String("output_file", what: "an absolute file path");
        if (outputFile is not null && !Path.IsPathFullyQualified(outputFile))
        {
            bag.Error(fields.PathOf("output_file"), $"\"{outputFile}\" is not an absolute path");
        }

        if (bag.HasErrorsSince(before))
        {
            return null;
        }

        return new CommandTaskSettings
        {
            Command = command,
            Arguments = arguments,
            Shell = shell,
            Environment = environment is { } e ? ImmutableDictionary.CreateRange(StringComparer.Ordinal, e) : ImmutableDictionary<string, string>.Empty,
            WorkingDirectory = workingDirectory,
            OutputLimit = outputLimit,
            OutputFile = outputFile,
        };
    }

    internal static string? ValidateEnvironmentName(string name)
    {
        if (name.Length == 0)
        {
            return "an environment variable name must not be empty";
        }

        return name.Contains('=', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal)
            ? "an environment variable name must not contain '=' or NUL"
            : null;
    }

    private static ImmutableArray<string> ParseArgs(JsonElement element, string path, DiagnosticsBag bag)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            bag.Error(path, $"expected an array of strings, found {JsonFields.Describe(element)}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<string>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            var itemPath = $"{path}[{index}]";
            if (item.ValueKind != JsonValueKind.String)
            {
                bag.Error(itemPath, $"expected a string, found {JsonFields.Describe(item)}");
            }
            else
            {
                var text = item.GetString()!;
                if (text.Contains('\0', StringComparison.Ordinal))
                {
                    bag.Error(itemPath, "contains a NUL character");
                }
                else if (index == 0 && text.Length == 0)
                {
                    bag.Error(itemPath, "the program must not be empty");
                }

                result.Add(text);
            }

            index++;
        }

        if (index == 0)
        {
            bag.Error(path, "is empty; the first element is the program to run");
        }

        return result.ToImmutable();
    }

    internal static HttpTaskSettings? ParseHttp(JsonFields fields)
    {
        var bag = fields.Bag;
        var before = bag.Count;

        var method = fields.String("method", what: "an HTTP method such as \"GET\"") ?? "GET";
        if (method.Length == 0 || !method.All(IsTokenChar))
        {
            bag.Error(fields.PathOf("method"), $"\"{method}\" is not an HTTP method");
        }

        Uri? url = null;
        var urlText = fields.String("url", required: true, what: "an absolute http or https URL");
        if (urlText is not null)
        {
            if (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                bag.Error(fields.PathOf("url"), $"\"{urlText}\" is not an absolute http or https URL");
                url = null;
            }
        }

        var headers = fields.StringMap("headers", static name => name.Length > 0 && name.All(IsTokenChar) ? null : $"\"{name}\" is not a valid header name");
        if (headers is { } h)
        {
            foreach (var pair in h)
            {
                if (pair.Value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0)
                {
                    bag.Error(JsonFields.Child(fields.PathOf("headers"), pair.Key), "a header value must not contain CR, LF or NUL");
                }
            }
        }

        string? body = null;
        var bodyIsJson = false;
        if (fields.TryGet("body", out var bodyElement))
        {
            body = bodyElement.ValueKind switch
            {
                JsonValueKind.String => bodyElement.GetString(),
                JsonValueKind.Object or JsonValueKind.Array => bodyElement.GetRawText(),
                _ => null,
            };
            bodyIsJson = bodyElement.ValueKind is JsonValueKind.Object or JsonValueKind.Array;
            if (body is null)
            {
                bag.Error(fields.PathOf("body"), $"expected a string, an object or an array, found {JsonFields.Describe(bodyElement)}");
            }
        }

        var timeout = fields.Duration("timeout", allowZero: false);
        var expected = ParseExpectedStatus(fields);

        if (bag.HasErrorsSince(before) || url is null)
        {
            return null;
        }

        return new HttpTaskSettings
        {
            Method = method,
            Url = url,
            Headers = headers ?? [],
            Body = body,
            BodyIsJson = bodyIsJson,
            Timeout = timeout,
            ExpectedStatus = expected,
        };
    }

    private static ImmutableArray<int> ParseExpectedStatus(JsonFields fields)
    {
        if (!fields.TryGet("expected_status", out var element))
        {
            return [];
        }

        var path = fields.PathOf("expected_status");
        if (element.ValueKind == JsonValueKind.Number)
        {
            return StatusCode(element, path, fields.Bag) is { } one ? [one] : [];
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            fields.Bag.Error(path, $"expected a status code or an array of them, found {JsonFields.Describe(element)}");
            return [];
        }

        var result = ImmutableArray.CreateBuilder<int>();
        var index = 0;
        foreach (var item in element.EnumerateArray())
        {
            if (StatusCode(item, $"{path}[{index}]", fields.Bag) is { } code)
            {
                result.Add(code);
            }

            index++;
        }

        if (index == 0)
        {
            fields.Bag.Error(path, "is empty; leave it out to accept any 2xx status");
        }

        return result.ToImmutable();
    }

    private static int? StatusCode(JsonElement element, string path, DiagnosticsBag bag)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var code) && code is >= 100 and <= 599)
        {
            return code;
        }

        bag.Error(path, element.ValueKind == JsonValueKind.Number
            ? $"{element.GetRawText()} is not an HTTP status code (100-599)"
            : $"expected an HTTP status code, found {JsonFields.Describe(element)}");
        return null;
    }

    // RFC 9110 token characters, for methods and header names.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
