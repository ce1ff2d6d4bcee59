using System.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Reads a command's stdout and stderr under one shared byte budget, keeps what fits, hands complete lines to the
/// log callback, and drains (counts and drops) the rest.
/// </summary>
internal sealed class OutputCapture(long limit, Action<CommandOutputLine>? onOutput)
{
    private readonly object _gate = new();
    private readonly StreamState[] _streams = [new(CommandOutputStream.StandardOutput), new(CommandOutputStream.StandardError)];
    private long _kept;
    private long _dropped;
    private bool _abandoned;

    public long DroppedBytes
    {
        get
        {
            lock (_gate)
            {
                return _dropped;
            }
        }
    }

    public async Task PumpAsync(Stream stream, CommandOutputStream which)
    {
        var buffer = new byte[8192];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                Accept(which, buffer.AsSpan(0, read));
            }
        }
        catch (ObjectDisposedException)
        {
            // The run was abandoned while a background process still held the pipe.
        }
        catch (IOException)
        {
            // As above, on platforms that report it as an I/O error.
        }
    }

    /// <summary>Stops taking output (a background process keeps the pipe open past the drain timeout).</summary>
    public void Abandon()
    {
        lock (_gate)
        {
            _abandoned = true;
        }
    }

    /// <summary>Hands the last unterminated line of each stream to the callback.</summary>
    public void Flush()
    {
        List<CommandOutputLine>? lines = null;
        lock (_gate)
        {
            foreach (var state in _streams)
            {
                state.Decode([], flush: true);
                if (state.Pending.Length > 0)
                {
                    (lines ??= []).Add(new CommandOutputLine(state.Stream, state.Pending.ToString()));
                    state.Pending.Clear();
                }
            }
        }

        Emit(lines);
    }

    public string Text(CommandOutputStream which)
    {
        lock (_gate)
        {
            return _streams[(int)which].Text.ToString();
        }
    }

    private void Accept(CommandOutputStream which, ReadOnlySpan<byte> data)
    {
        List<CommandOutputLine>? lines = null;
        lock (_gate)
        {
            if (_abandoned)
            {
                return;
            }

            var room = (int)Math.Min(data.Length, Math.Max(0, limit - _kept));
            _kept += room;
            _dropped += data.Length - room;
            if (room == 0)
            {
                return;
            }

            var state = _streams[(int)which];
            var before = state.Text.Length;
            state.Decode(data[..room], flush: false);
            var added = state.Text.ToString(before, state.Text.Length - before);
            foreach (var c in added)
            {
                if (c == '\n')
                {
                    var line = state.Pending.ToString();
                    (lines ??= []).Add(new CommandOutputLine(which, line.EndsWith('\r') ? line[..^1] : line));
                    state.Pending.Clear();
                }
                else
                {
                    state.Pending.Append(c);
                }
            }
        }

        Emit(lines);
    }

    private void Emit(List<CommandOutputLine>? lines)
    {
        if (lines is null || onOutput is null)
        {
            return;
        }

        foreach (var line in lines)
        {
            onOutput(line);
        }
    }

    private sealed class StreamState(CommandOutputStream stream)
    {
        private readonly Decoder _decoder = new UTF8Encoding(false).GetDecoder();
        private readonly char[] _chars = new char[8192 + 4];

        public CommandOutputStream Stream { get; } = stream;

        public StringBuilder Text { get; } = new();

        public StringBuilder Pending { get; } = new();

        public void Decode(ReadOnlySpan<byte> bytes, bool flush)
        {
            var count = _decoder.GetChars(bytes, _chars, flush);
            var before = Text.Length;
            Text.Append(_chars, 0, count);
            if (flush)
            {
                Pending.Append(Text, before, Text.Length - before);
            }
        }
    }
}
