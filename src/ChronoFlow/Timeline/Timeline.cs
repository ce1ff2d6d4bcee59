namespace ChronoFlow;

/// <summary>
/// Something that can stand on a <see cref="Timeline{T}"/>: at most one live position at a time. The fields belong to
/// the timeline; the owner of the node only reads <see cref="InTimeline"/>.
/// </summary>
internal abstract class TimelineNode
{
    /// <summary>Identifies the node's live position; positions left behind by a move or removal carry an older token.</summary>
    internal int TimelineToken;

    /// <summary>Whether the node has a live position.</summary>
    internal bool InTimeline;
}

/// <summary>
/// The due times of many nodes, earliest first: a binary heap keyed by UTC ticks. Moving or removing a node is O(1)
/// and lazy (its old position goes stale and is skipped when it reaches the top); the heap is rebuilt without stale
/// positions when they outnumber live ones by four to one, so memory stays proportional to the live nodes.
/// </summary>
/// <remarks>Inserting and taking are O(log n); peeking at the earliest due time is O(1) amortised.</remarks>
/// <threadsafety>Not thread-safe: the owner serializes every call (the scheduler holds its lock).</threadsafety>
internal sealed class Timeline<T>
    where T : TimelineNode
{
    /// <summary>Below this many positions the heap is never compacted: rebuilding would cost more than it saves.</summary>
    private const int CompactionFloor = 1024;

    private readonly PriorityQueue<HeapEntry, long> _heap = new();
    private int _live;

    /// <summary>Gets the number of nodes with a live position.</summary>
    public int LiveCount => _live;

    /// <summary>Gets the number of positions held, stale ones included.</summary>
    public int PositionCount => _heap.Count;

    /// <summary>Puts <paramref name="node"/> at <paramref name="due"/>, moving it when it already has a position.</summary>
    public void Insert(T node, long due)
    {
        Remove(node);
        node.TimelineToken++;
        node.InTimeline = true;
        _live++;
        _heap.Enqueue(new HeapEntry(node, node.TimelineToken), due);
        if (_heap.Count > CompactionFloor && _heap.Count > 4 * _live)
        {
            Compact();
        }
    }

    /// <summary>Takes <paramref name="node"/> off the timeline; its position goes stale.</summary>
    public void Remove(T node)
    {
        if (node.InTimeline)
        {
            node.InTimeline = false;
            node.TimelineToken++;
            _live--;
        }
    }

    /// <summary>The earliest live due time, or <see cref="long.MaxValue"/>; drops stale positions from the top on the way.</summary>
    public long PeekDue()
    {
        while (_heap.TryPeek(out var entry, out var due))
        {
            if (entry.IsLive)
            {
                return due;
            }

            _heap.Dequeue();
        }

        return long.MaxValue;
    }

    /// <summary>Takes the earliest node due at or before <paramref name="now"/>, if any; it leaves the timeline.</summary>
    public bool TryTakeDue(long now, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? node)
    {
        while (_heap.TryPeek(out var entry, out var due) && due <= now)
        {
            _heap.Dequeue();
            if (entry.IsLive)
            {
                node = entry.Node;
                node.InTimeline = false;
                _live--;
                return true;
            }
        }

        node = null;
        return false;
    }

    private void Compact()
    {
        var live = new List<(HeapEntry, long)>(_live);
        foreach (var (entry, due) in _heap.UnorderedItems)
        {
            if (entry.IsLive)
            {
                live.Add((entry, due));
            }
        }

        _heap.Clear();
        _heap.EnqueueRange(live);
    }

    private readonly record struct HeapEntry(T Node, int Token)
    {
        public bool IsLive => Token == Node.TimelineToken && Node.InTimeline;
    }
}
