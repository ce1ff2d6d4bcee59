using System.Diagnostics;
using System.Runtime.InteropServices;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// What a child process of a test writes, stdout and stderr, collected line by line as it comes, with waits for a
/// stdout line that matches; and the kill(2) the tests signal it with.
/// </summary>
internal sealed class ProcessOutput
{
    private readonly List<string> _lines = [];
    private readonly List<string> _errorLines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

    /// <summary>Collects the output of <paramref name="process"/>, which must redirect both streams and not be started yet.</summary>
    public ProcessOutput(Process process)
    {
        process.OutputDataReceived += (_, e) => OnLine(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, error: true);
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public IReadOnlyList<string> ErrorLines
    {
        get
        {
            lock (_lines)
            {
                return [.. _errorLines];
            }
        }
    }

    /// <summary>Gets the last lines, stdout then stderr, for an assertion's message.</summary>
    public string Tail(int last) => string.Join('\n', Lines.Concat(ErrorLines).TakeLast(last));

    /// <summary>The first stdout line, written already or to come, that <paramref name="match"/> accepts.</summary>
    public Task<string> LineAsync(Func<string, bool> match)
    {
        lock (_lines)
        {
            if (_lines.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, done));
            return done.Task;
        }
    }

    /// <summary>Sends <paramref name="signal"/> to process <paramref name="pid"/>; 0 when it was delivered.</summary>
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);

    private void OnLine(string? line, bool error)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>>? matched = null;
        lock (_lines)
        {
            if (error)
            {
                _errorLines.Add(line);
                return;
            }

            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    (matched ??= []).Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(d => d.TrySetResult(line));
    }
}
