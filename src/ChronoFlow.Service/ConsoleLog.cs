using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>How the service writes a log line.</summary>
internal enum ConsoleLogFormat
{
    /// <summary><c>2025-09-20T02:00:00.000Z INFO    message</c>: for a terminal or a plain log file.</summary>
    Plain,

    /// <summary><c>&lt;6&gt;message</c>: the syslog priority prefix that journald reads; journald adds the time itself.</summary>
    Journald,
}

/// <summary>
/// The service's console logger: one line per message, with the exception's message on the same line (and its stack
/// trace when <paramref name="stackTraces"/> is set, at DEBUG). Every time in a message is written the same way, ISO 8601 in UTC (<see cref="IsoTime"/>), and a
/// missing time as <c>none</c>, whatever format the message's template asks for, so the scheduler's, the job files'
/// and the service's own lines read alike. Events for which <paramref name="hide"/> returns <see langword="true"/>
/// are not written.
/// </summary>
internal sealed class ConsoleLogProvider(ConsoleLogFormat format, TimeProvider timeProvider, TextWriter output, bool stackTraces, Func<EventId, bool>? hide = null) : ILoggerProvider
{
    private readonly object _gate = new();

    private bool StackTraces => stackTraces;

    private bool Hides(EventId eventId) => hide is not null && hide(eventId);

    public ILogger CreateLogger(string categoryName) => new ConsoleLogger(this);

    public void Dispose()
    {
    }

    /// <summary>Renders a message template with the values of a <c>LoggerMessage</c> state. Internal for tests.</summary>
    internal static string Render(string template, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var text = new StringBuilder(template.Length + 32);
        var index = 0;
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if (c is '{' or '}' && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c);
                i++;
                continue;
            }

            var end = c == '{' ? template.IndexOf('}', i) : -1;
            if (end < 0)
            {
                text.Append(c);
                continue;
            }

            var hole = template.AsSpan(i + 1, end - i - 1);
            var colon = hole.IndexOf(':');
            var name = (colon < 0 ? hole : hole[..colon]).ToString();
            var holeFormat = colon < 0 ? null : hole[(colon + 1)..].ToString();
            var value = values.FirstOrDefault(p => p.Key == name) is { Key: not null } pair ? pair.Value : values.ElementAtOrDefault(index).Value;
            text.Append(FormatValue(value, holeFormat));
            index++;
            i = end;
        }

        return text.ToString();
    }

    private static string FormatValue(object? value, string? format) => value switch
    {
        null => "none",
        DateTimeOffset time => IsoTime.Format(time),
        DateTime time => IsoTime.Format(new DateTimeOffset(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time)),
        IFormattable formattable => formattable.ToString(format, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    private void Write(LogLevel level, string message)
    {
        string line;
        if (format == ConsoleLogFormat.Journald)
        {
            // One journal entry per message: a stack trace stays in it rather than becoming entries of its own.
            line = $"<{Priority(level)}>{message.ReplaceLineEndings(" | ")}";
        }
        else
        {
            line = $"{IsoTime.FormatPrecise(timeProvider.GetUtcNow())} {LevelName(level),-7} {message}";
        }

        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    private static int Priority(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => 7,
        LogLevel.Information => 6,
        LogLevel.Warning => 4,
        LogLevel.Error => 3,
        _ => 2,
    };

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        _ => "ERROR",
    };

    private sealed class ConsoleLogger(ConsoleLogProvider provider) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        // The level is filtered by the logging builder's minimum level.
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || provider.Hides(eventId))
            {
                return;
            }

            var message = state is IReadOnlyList<KeyValuePair<string, object?>> values && values.Count > 0
                && values[^1] is { Key: "{OriginalFormat}", Value: string template }
                ? Render(template, values)
                : formatter(state, exception);
            if (exception is not null)
            {
                message = provider.StackTraces ? $"{message}: {exception}" : $"{message}: {exception.Message}";
            }

            provider.Write(logLevel, message);
        }
    }
}

/// <summary>The one way the service writes a time: ISO 8601 in UTC, <c>2025-09-20T02:00:00Z</c>.</summary>
internal static class IsoTime
{
    /// <summary>Seconds, or milliseconds when the time has them.</summary>
    public static string Format(DateTimeOffset time)
    {
        var utc = time.ToUniversalTime();
        return utc.UtcTicks % TimeSpan.TicksPerSecond == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>Always with milliseconds: the time at the start of a log line.</summary>
    public static string FormatPrecise(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
