using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Testing;

/// <summary>One log record as a test sees it.</summary>
public sealed record LogEntry(LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>A logger factory whose every logger records what it is given, for assertions on event ids and text.</summary>
public sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        => _entries.Enqueue(new LogEntry(logLevel, eventId, formatter(state, exception), exception));
}
