using System.Collections;

namespace ChronoFlow;

/// <summary>
/// The occurrences of a <see cref="CronExpression"/> in a range, as a struct enumerable: a <c>foreach</c> over it
/// allocates nothing. Returned by <see cref="CronExpression.GetOccurrences(DateTimeOffset, DateTimeOffset, TimeZoneInfo, bool, bool)"/>.
/// </summary>
/// <threadsafety>The value is immutable; each enumerator belongs to one thread.</threadsafety>
public readonly struct CronOccurrences : IEnumerable<DateTimeOffset>
{
    private readonly CronExpression _expression;
    private readonly ZoneRules _zone;
    private readonly long _fromUtcTicks;
    private readonly long _toUtcTicks;
    private readonly bool _fromInclusive;
    private readonly bool _toInclusive;

    internal CronOccurrences(CronExpression expression, ZoneRules zone, long fromUtcTicks, long toUtcTicks, bool fromInclusive, bool toInclusive)
    {
        _expression = expression;
        _zone = zone;
        _fromUtcTicks = fromUtcTicks;
        _toUtcTicks = toUtcTicks;
        _fromInclusive = fromInclusive;
        _toInclusive = toInclusive;
    }

    /// <summary>Gets an enumerator over the occurrences.</summary>
    /// <returns>A struct enumerator.</returns>
    public Enumerator GetEnumerator() => new(this);

    IEnumerator<DateTimeOffset> IEnumerable<DateTimeOffset>.GetEnumerator() => GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Walks the occurrences of a <see cref="CronOccurrences"/> in order.</summary>
    public struct Enumerator : IEnumerator<DateTimeOffset>
    {
        private readonly CronOccurrences _owner;
        private long _cursor;
        private bool _inclusive;
        private DateTimeOffset _current;

        internal Enumerator(CronOccurrences owner)
        {
            _owner = owner;
            _cursor = owner._fromUtcTicks;
            _inclusive = owner._fromInclusive;
            _current = default;
        }

        /// <summary>Gets the current occurrence.</summary>
        public readonly DateTimeOffset Current => _current;

        readonly object IEnumerator.Current => _current;

        /// <summary>Moves to the next occurrence.</summary>
        /// <returns><see langword="false"/> when the range holds no more occurrences.</returns>
        public bool MoveNext()
        {
            if (_cursor < 0)
            {
                return false;
            }

            var next = ZonedCalendar.Next(in _owner._expression, _owner._zone, _cursor, _inclusive, out var offset);
            if (next < 0 || next > _owner._toUtcTicks || (next == _owner._toUtcTicks && !_owner._toInclusive))
            {
                _cursor = -1;
                return false;
            }

            _cursor = next;
            _inclusive = false;
            _current = ZoneRules.ToOffset(next, offset);
            return true;
        }

        /// <summary>Starts again from the beginning of the range.</summary>
        public void Reset()
        {
            _cursor = _owner._fromUtcTicks;
            _inclusive = _owner._fromInclusive;
        }

        /// <summary>Does nothing; the enumerator holds no resources.</summary>
        public readonly void Dispose()
        {
        }
    }
}
