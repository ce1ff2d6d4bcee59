namespace ChronoFlow;

/// <summary>The default <see cref="IJobQueue"/>: a bounded first-in, first-out ring buffer in memory.</summary>
/// <threadsafety>Safe for concurrent use: every member takes a short lock of its own.</threadsafety>
public sealed class InMemoryJobQueue : IJobQueue
{
    private readonly QueuedRun[] _items;
    private int _head;
    private int _count;

    /// <summary>Runs taken beyond the capacity (<see cref="TryEnqueueRange"/>), behind those in <see cref="_items"/>.</summary>
    private Queue<QueuedRun>? _beyond;

    /// <summary>Creates a queue that holds at most <paramref name="capacity"/> runs.</summary>
    /// <param name="capacity">The most runs held; positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not positive.</exception>
    public InMemoryJobQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        _items = new QueuedRun[capacity];
    }

    /// <summary>Gets the most runs the queue holds.</summary>
    public int Capacity => _items.Length;

    /// <inheritdoc/>
    public int Count => Volatile.Read(ref _count);

    /// <inheritdoc/>
    public bool TryEnqueue(QueuedRun run)
    {
        lock (_items)
        {
            return TryEnqueueLocked(run);
        }
    }

    /// <inheritdoc/>
    public bool TryDequeue(out QueuedRun run)
    {
        lock (_items)
        {
            return TryDequeueLocked(out run);
        }
    }

    /// <summary>
    /// Adds <paramref name="runs"/> from <paramref name="start"/> on, in order, under one acquisition of the lock, until
    /// the queue is full; with <paramref name="beyondCapacity"/>, all of them, those past the capacity behind the others.
    /// The scheduler's batch of due runs costs one lock, not one per run.
    /// </summary>
    /// <returns>How many it added: the first ones; the rest are refused.</returns>
    internal int TryEnqueueRange<T>(in InlineList<T> runs, int start, bool beyondCapacity = false)
        where T : JobRun
    {
        var count = runs.Count;
        var added = 0;
        lock (_items)
        {
            while (start + added < count && TryEnqueueLocked(new QueuedRun(runs[start + added])))
            {
                added++;
            }

            if (beyondCapacity && start + added < count)
            {
                _beyond ??= new Queue<QueuedRun>();
                for (; start + added < count; added++)
                {
                    _beyond.Enqueue(new QueuedRun(runs[start + added]));
                    _count++;
                }
            }
        }

        return added;
    }

    private bool TryEnqueueLocked(QueuedRun run)
    {
        if (_count >= _items.Length)
        {
            return false;
        }

        var tail = _head + _count;
        if (tail >= _items.Length)
        {
            tail -= _items.Length;
        }

        _items[tail] = run;
        _count++;
        return true;
    }

    private bool TryDequeueLocked(out QueuedRun run)
    {
        if (_count == 0)
        {
            run = default;
            return false;
        }

        run = _items[_head];

        // While runs wait beyond the capacity the ring is full, and the first of them takes the place just freed: the tail.
        _items[_head] = _beyond is { Count: > 0 } beyond ? beyond.Dequeue() : default;
        _head = _head + 1 == _items.Length ? 0 : _head + 1;
        _count--;
        return true;
    }
}
