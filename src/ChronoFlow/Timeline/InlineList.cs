namespace ChronoFlow;

/// <summary>
/// A list that holds its first item inline and allocates only from the second: what one pass of the scheduler
/// collects (the runs it admitted, the skips it must report) is nearly always zero or one item.
/// </summary>
/// <threadsafety>A mutable value for one thread; pass it by reference.</threadsafety>
internal struct InlineList<T>
{
    private T _first;
    private List<T>? _rest;
    private bool _any;

    /// <summary>Creates an empty list that keeps its items from the second on in <paramref name="spare"/>, an empty list to reuse.</summary>
    public InlineList(List<T>? spare)
    {
        _first = default!;
        _rest = spare;
        _any = false;
    }

    public readonly bool IsEmpty => !_any;

    /// <summary>The list that holds the items from the second on, if one was given or made: to clear and reuse.</summary>
    public readonly List<T>? Rest => _rest;

    public readonly int Count => !_any ? 0 : 1 + (_rest?.Count ?? 0);

    /// <summary>Gets the item at <paramref name="index"/>, which must be less than <see cref="Count"/>.</summary>
    public readonly T this[int index] => index == 0 ? _first : _rest![index - 1];

    public void Add(T item)
    {
        if (!_any)
        {
            _first = item;
            _any = true;
        }
        else
        {
            (_rest ??= []).Add(item);
        }
    }

    public readonly Enumerator GetEnumerator() => new(this);

    public struct Enumerator(InlineList<T> list)
    {
        private int _index = -1;

        public readonly T Current => _index == 0 ? list._first : list._rest![_index - 1];

        public bool MoveNext()
        {
            _index++;
            return _index == 0 ? list._any : list._rest is not null && _index - 1 < list._rest.Count;
        }
    }
}
