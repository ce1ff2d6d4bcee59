using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ChronoFlow.IntegrationTests.Probes;

/// <summary>One line of a probe's marker file: an event ("start", "finished", "cancelled") of a run of one occurrence.</summary>
internal sealed record Marker(string Job, long Scheduled, int Pid, string Event)
{
    /// <summary>Gets the probe's node name in run history.</summary>
    public string Node => "probe-" + Pid.ToString(CultureInfo.InvariantCulture);

    public override string ToString() => $"{Job} at {new DateTime(Scheduled, DateTimeKind.Utc):HH:mm:ss.fff} ({Scheduled}) {Event} in pid {Pid}";
}

/// <summary>The marker files of every probe that ran with one marker directory.</summary>
internal sealed class MarkerFiles
{
    public List<Marker> Lines { get; } = [];

    /// <summary>Gets how many files end in a torn line: a process killed while writing it.</summary>
    public int Torn { get; private set; }

    /// <summary>Gets the starts of runs: one per run that began.</summary>
    public IEnumerable<Marker> Starts => Lines.Where(m => m.Event == "start");

    /// <summary>Reads every markers-PID.txt: one line per event, "job TAB scheduled-ticks TAB pid TAB event".</summary>
    public static MarkerFiles Read(string directory)
    {
        var result = new MarkerFiles();
        foreach (var file in Directory.GetFiles(directory, "markers-*.txt"))
        {
            var pid = int.Parse(Path.GetFileNameWithoutExtension(file)["markers-".Length..], CultureInfo.InvariantCulture);
            var text = Encoding.ASCII.GetString(File.ReadAllBytes(file));
            var lines = text.Split('\n');

            // Split leaves "" after the last newline. Anything else there is a line the process was killed while
            // writing: the only line that may be torn is the last one a process wrote, without its newline. It is
            // ignored (its run started; whether its row exists is not known from a partial line). Every other line
            // must be whole.
            if (lines[^1].Length != 0)
            {
                result.Torn++;
            }

            foreach (var line in lines[..^1])
            {
                var parts = line.Split('\t');
                Assert.True(
                    parts.Length == 4 && long.TryParse(parts[1], CultureInfo.InvariantCulture, out _) && parts[2] == pid.ToString(CultureInfo.InvariantCulture)
                    && parts[3] is "start" or "finished" or "cancelled",
                    $"a malformed marker line in {file}: '{line}'");
                result.Lines.Add(new Marker(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), pid, parts[3]));
            }
        }

        return result;
    }

    /// <summary>Reads the markers until one matches, every 100 ms up to <paramref name="timeout"/>; fails saying what was awaited.</summary>
    public static async Task<Marker> WaitForAsync(string directory, Func<Marker, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var found = Read(directory).Lines.FirstOrDefault(match);
            if (found is not null)
            {
                return found;
            }

            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"{what}: no such marker within {timeout.TotalSeconds:0} s; the markers are:\n{string.Join('\n', Read(directory).Lines)}");
            }

            await Task.Delay(100);
        }
    }
}
