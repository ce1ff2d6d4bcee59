using System.Collections.Immutable;

namespace ChronoFlow.Files;

/// <summary>
/// Validated settings of an <c>execute_command</c> task.
/// </summary>
/// <remarks>
/// Without a shell, <see cref="Arguments"/> is the argument vector: <c>Arguments[0]</c> is the program, run directly
/// with each argument passed as is. With <see cref="Shell"/>, <see cref="Command"/> is handed whole to
/// <c>/bin/sh -c</c> (or <see cref="ShellPath"/>; <c>cmd.exe /c</c> on Windows) and <see cref="Arguments"/> is empty.
/// </remarks>
internal sealed record CommandTaskSettings
{
    public string? Command { get; init; }

    public ImmutableArray<string> Arguments { get; init; } = [];

    public bool Shell { get; init; }

    /// <summary>The shell to use when <see cref="Shell"/> is set; <see langword="null"/> means <c>/bin/sh</c> (crontab <c>SHELL=</c> sets it).</summary>
    public string? ShellPath { get; init; }

    public ImmutableDictionary<string, string> Environment { get; init; } = ImmutableDictionary<string, string>.Empty;

    public string? WorkingDirectory { get; init; }

    /// <summary>The most bytes of stdout and stderr together kept per run; <see langword="null"/> takes the runner's default.</summary>
    public long? OutputLimit { get; init; }

    /// <summary>
    /// A file that gets each run's whole output (stdout and stderr lines as they came, up to <see cref="OutputLimit"/>),
    /// replaced by every run; the log gets only the last lines. <see langword="null"/> for none.
    /// </summary>
    public string? OutputFile { get; init; }

    /// <summary>Text written to the command's standard input (crontab <c>%</c>), or <see langword="null"/> for none.</summary>
    public string? StandardInput { get; init; }
}

/// <summary>Validated settings of an <c>http_request</c> task.</summary>
internal sealed record HttpTaskSettings
{
    public string Method { get; init; } = "GET";

    public required Uri Url { get; init; }

    /// <summary>Headers in file order; a name may repeat only by design of the file (it is refused as a duplicate property).</summary>
    public ImmutableArray<KeyValuePair<string, string>> Headers { get; init; } = [];

    public string? Body { get; init; }

    /// <summary>The body was written as a JSON object or array (sent as <c>application/json</c> unless a Content-Type header says otherwise).</summary>
    public bool BodyIsJson { get; init; }

    public TimeSpan? Timeout { get; init; }

    /// <summary>The accepted status codes; empty means any 2xx.</summary>
    public ImmutableArray<int> ExpectedStatus { get; init; } = [];

    public bool IsExpected(int status) => ExpectedStatus.IsDefaultOrEmpty ? status is >= 200 and <= 299 : ExpectedStatus.Contains(status);
}

