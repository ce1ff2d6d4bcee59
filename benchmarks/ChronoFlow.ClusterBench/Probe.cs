using System.Globalization;
using System.Text;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// What a node's job bodies count: runs completed, and a histogram of how late each started (start minus scheduled
/// time). Lock-free: one Interlocked increment per run for the count and one for its bucket.
/// </summary>
internal sealed class Probe
{
    private long _completed;
    private long _early;
    private LatencyHistogram _window = new();

    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>Counts a run that started at <paramref name="started"/> for its occurrence at <paramref name="scheduled"/>.</summary>
    public void Record(DateTimeOffset scheduled, DateTimeOffset started)
    {
        var micros = (started.UtcTicks - scheduled.UtcTicks) / 10;
        if (micros < 0)
        {
            Interlocked.Increment(ref _early);
            micros = 0;
        }

        Volatile.Read(ref _window).Add(micros);
        Interlocked.Increment(ref _completed);
    }

    /// <summary>
    /// The counters as one line for the orchestrator, with the histogram of the runs since the previous snapshot (which
    /// starts a new one).
    /// </summary>
    public string Snapshot(string extra)
    {
        var histogram = Interlocked.Exchange(ref _window, new LatencyHistogram());
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"snap completed={Completed} early={Interlocked.Read(ref _early)} ");
        sb.Append(extra);
        sb.Append(" hist=");
        histogram.AppendSparse(sb);
        return sb.ToString();
    }
}

/// <summary>
/// Latencies in microseconds: 0.1 ms buckets below 100 ms, 1 ms buckets below 10 s, 100 ms buckets below 10 min, and
/// one bucket above. Percentiles answer with the upper edge of their bucket (never optimistic).
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Fine = 1_000;          // [0, 100 ms) in 0.1 ms
    private const int Medium = 9_900;        // [100 ms, 10 s) in 1 ms
    private const int Coarse = 5_900;        // [10 s, 600 s) in 100 ms
    private const int Buckets = Fine + Medium + Coarse + 1;

    private readonly long[] _counts = new long[Buckets];

    public long Count
    {
        get
        {
            long n = 0;
            foreach (var c in _counts)
            {
                n += c;
            }

            return n;
        }
    }

    public void Add(long micros) => Interlocked.Increment(ref _counts[Index(micros)]);

    public void Add(int bucket, long count) => _counts[bucket] += count;

    public void Merge(LatencyHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += other._counts[i];
        }
    }

    /// <summary>The upper edge, in milliseconds, of the bucket holding quantile <paramref name="q"/>; null when empty.</summary>
    public double? Quantile(double q)
    {
        var total = Count;
        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= Math.Max(1, rank))
            {
                return UpperMicros(i) / 1000.0;
            }
        }

        return UpperMicros(Buckets - 1) / 1000.0;
    }

    public void AppendSparse(StringBuilder sb)
    {
        var first = true;
        for (var i = 0; i < Buckets; i++)
        {
            if (_counts[i] != 0)
            {
                if (!first)
                {
                    sb.Append(',');
                }

                sb.Append(CultureInfo.InvariantCulture, $"{i}:{_counts[i]}");
                first = false;
            }
        }
    }

    public static LatencyHistogram ParseSparse(string text)
    {
        var h = new LatencyHistogram();
        foreach (var pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = pair.IndexOf(':', StringComparison.Ordinal);
            h.Add(int.Parse(pair.AsSpan(0, colon), CultureInfo.InvariantCulture), long.Parse(pair.AsSpan(colon + 1), CultureInfo.InvariantCulture));
        }

        return h;
    }

    private static int Index(long micros) => micros switch
    {
        < 100_000 => (int)(micros / 100),
        < 10_000_000 => Fine + (int)((micros - 100_000) / 1_000),
        < 600_000_000 => Fine + Medium + (int)((micros - 10_000_000) / 100_000),
        _ => Buckets - 1,
    };

    private static long UpperMicros(int i) => i switch
    {
        < Fine => (i + 1) * 100L,
        < Fine + Medium => 100_000 + ((i - Fine + 1) * 1_000L),
        < Fine + Medium + Coarse => 10_000_000 + ((i - Fine - Medium + 1) * 100_000L),
        _ => long.MaxValue / 1000,
    };
}
