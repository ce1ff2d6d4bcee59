using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>
/// A small console logger: one line per message, <c>2025-09-20T02:00:00.000Z INFO message</c>, with the exception's
/// message on the same line (and its stack trace at DEBUG). Written here rather than taken from
/// Microsoft.Extensions.Logging.Console so that the line format is exactly the service's and no package is added.
/// Events for which <paramref name="hide"/> returns <see langword="true"/> are not written.
/// </summary>
internal sealed class ConsoleLoggerFactory(LogLevel minimum, TimeProvider timeProvider, TextWriter output, Func<EventId, bool>? hide = null) : ILoggerFactory
{
    private readonly object _gate = new();

    public ILogger CreateLogger(string categoryName) => new ConsoleLogger(this);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The service's console logger takes no providers.");

    public void Dispose()
    {
    }

    internal void Write(LogLevel level, string message)
    {
        var line = $"{timeProvider.GetUtcNow():yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {LevelName(level),-7} {message}";
        lock (_gate)
        {
            output.WriteLine(line);
            output.Flush();
        }
    }

    internal bool IsEnabled(LogLevel level) => level != LogLevel.None && level >= minimum;

    internal bool Hides(EventId eventId) => hide is not null && hide(eventId);

    internal bool ShowsStackTraces => minimum <= LogLevel.Debug;

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace or LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARNING",
        _ => "ERROR",
    };

    private sealed class ConsoleLogger(ConsoleLoggerFactory factory) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => factory.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel) || factory.Hides(eventId))
            {
                return;
            }

            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = factory.ShowsStackTraces ? $"{message}: {exception}" : $"{message}: {exception.Message}";
            }

            factory.Write(logLevel, message);
        }
    }
}
