namespace ChronoFlow.Files;

/// <summary>
/// The last lines of a command's output, for the log: at most <c>maxLines</c> lines, each cut to
/// <c>maxLineLength</c> characters (with a note of how much was cut), so that one run never writes more than a
/// screenful however much the command prints or however long its lines are.
/// </summary>
/// <threadsafety>All members are thread-safe: stdout and stderr are read on two threads.</threadsafety>
internal sealed class OutputTail(int maxLines, int maxLineLength)
{
    public const int DefaultLines = 20;
    public const int DefaultLineLength = 1000;

    private readonly Queue<CommandOutputLine> _lines = new();
    private int _omitted;

    /// <summary>Gets how many earlier lines were dropped.</summary>
    public int Omitted
    {
        get
        {
            lock (_lines)
            {
                return _omitted;
            }
        }
    }

    /// <summary>Gets the kept lines, oldest first.</summary>
    public IReadOnlyList<CommandOutputLine> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public void Add(CommandOutputLine line)
    {
        if (line.Text.Length > maxLineLength)
        {
            line = line with { Text = $"{line.Text[..maxLineLength]}... ({line.Text.Length - maxLineLength} more characters)" };
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > maxLines)
            {
                _lines.Dequeue();
                _omitted++;
            }
        }
    }
}
