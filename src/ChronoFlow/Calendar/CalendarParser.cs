using System.Diagnostics.CodeAnalysis;

namespace ChronoFlow;

/// <summary>
/// Reads systemd calendar events (<c>OnCalendar=</c>, <c>man systemd.time</c>) exactly as systemd 252's
/// <c>calendar_spec_from_string</c> does: what it accepts is accepted, what it refuses is refused, with the same
/// normalization (two-digit years, ranges cut to a whole number of steps, sorted lists). Errors carry a code and a
/// 0-based position instead of systemd's bare <c>EINVAL</c>.
/// </summary>
/// <remarks>
/// Deliberate differences: <c>@</c> timestamps take digits only (systemd's <c>strtoul</c> also skips blanks and takes a
/// sign); a trailing zone must be a zone .NET knows, and systemd's local-zone abbreviations (such as <c>CET</c> when the
/// machine runs on Europe/Berlin, which pin daylight saving on or off) are read as zone names instead.
/// </remarks>
internal static class CalendarParser
{
    private const int Usec = CalendarEvent.MicrosecondsPerSecond;
    private const int MaxListItems = 240; // CALENDARSPEC_COMPONENTS_MAX: items after the first
    private const int MinYear = 1970;
    private const int MaxYear = 2199;

    private static readonly (string Name, int Day)[] s_weekdays =
    [
        ("Monday", 0), ("Mon", 0), ("Tuesday", 1), ("Tue", 1), ("Wednesday", 2), ("Wed", 2), ("Thursday", 3), ("Thu", 3),
        ("Friday", 4), ("Fri", 4), ("Saturday", 5), ("Sat", 5), ("Sunday", 6), ("Sun", 6),
    ];

    /// <summary>Parses an event; never throws for bad text.</summary>
    /// <param name="text">The event.</param>
    /// <param name="calendarEvent">The event, when valid.</param>
    /// <param name="error">What is wrong and where, when not.</param>
    public static bool TryParse(string text, [NotNullWhen(true)] out CalendarEvent? calendarEvent, out CalendarParseError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        var reader = new Reader(text);
        if (reader.Parse(out calendarEvent, out error))
        {
            return true;
        }

        error = Explain(text, error);
        calendarEvent = null;
        return false;
    }

    /// <summary>Replaces a plain syntax error with a better hint when the text is a cron expression or a point in time.</summary>
    private static CalendarParseError Explain(string text, CalendarParseError error)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length > 1 && trimmed[0] == '@' && char.IsAsciiLetter(trimmed[1]))
        {
            var start = text.IndexOf('@', StringComparison.Ordinal);
            var end = start + 1;
            while (end < text.Length && (char.IsAsciiLetter(text[end]) || text[end] == '_'))
            {
                end++;
            }

            return new CalendarParseError(CalendarParseErrorCode.CronMacro, start, end - start);
        }

        foreach (var word in (ReadOnlySpan<string>)["now", "today", "tomorrow", "yesterday"])
        {
            var at = FirstWord(text, out var length);
            if (text.AsSpan(at, length).Equals(word, StringComparison.OrdinalIgnoreCase))
            {
                return new CalendarParseError(CalendarParseErrorCode.RelativeTime, at, length);
            }
        }

        // A calendar event has at most four words (weekdays, date, time, zone); a cron expression has five to seven.
        var words = 0;
        for (var k = 0; k < trimmed.Length; k++)
        {
            if (!char.IsWhiteSpace(trimmed[k]) && (k == 0 || char.IsWhiteSpace(trimmed[k - 1])))
            {
                words++;
            }
        }

        if (words is >= 5 and <= 7 && trimmed.IndexOfAnyExcept("0123456789*/,-?LW#HhABCDEFGIJKMNOPRSTUVXYZabcdefgijklmnoprstuvwxyz \t()") < 0)
        {
            return new CalendarParseError(CalendarParseErrorCode.LooksLikeCron, 0, text.Length);
        }

        return error;
    }

    private static int FirstWord(string text, out int length)
    {
        var start = 0;
        while (start < text.Length && char.IsWhiteSpace(text[start]))
        {
            start++;
        }

        var end = start;
        while (end < text.Length && !char.IsWhiteSpace(text[end]))
        {
            end++;
        }

        length = end - start;
        return start;
    }

    /// <summary>A component with where it was written, for the errors found after normalization.</summary>
    private struct Item(int start, int stop, int repeat, int position, int length)
    {
        public int Start = start;
        public int Stop = stop;
        public int Repeat = repeat;
        public readonly int Position = position;
        public readonly int Length = length;
    }

    private sealed class Reader(string text)
    {
        private readonly string _text = text;
        private int _end;       // the end of the event proper, before a trailing zone
        private int _i;
        private CalendarParseError _error;

        private int _weekdays;
        private List<Item>? _year, _month, _day, _hour, _minute, _usec;
        private bool _endOfMonth;
        private bool _utc;

        private char At(int i) => i < _end ? _text[i] : '\0';

        private bool Fail(CalendarParseErrorCode code, int position, int length = 1, CalendarField field = CalendarField.None)
        {
            _error = new CalendarParseError(code, position, Math.Min(length, Math.Max(0, _end - position)), field);
            return false;
        }

        public bool Parse([NotNullWhen(true)] out CalendarEvent? result, out CalendarParseError error)
        {
            result = null;
            if (!ParseAll(out var zoneName, out var zone))
            {
                error = _error;
                return false;
            }

            Normalize();
            if (!Validate())
            {
                error = _error;
                return false;
            }

            error = default;
            result = new CalendarEvent(
                _text,
                _weekdays <= 0 || _weekdays >= 127 ? CalendarEvent.AnyWeekday : _weekdays,
                ToChain(_year),
                ToChain(_month),
                ToChain(_day),
                _endOfMonth && _day is not null,
                ToChain(_hour),
                ToChain(_minute),
                ToChain(_usec),
                _utc,
                _utc ? null : zoneName,
                _utc ? null : zone);
            return true;
        }

        private bool ParseAll(out string? zoneName, out TimeZoneInfo? zone)
        {
            zoneName = null;
            zone = null;
            _end = _text.Length;
            if (_text.EndsWith(" UTC", StringComparison.OrdinalIgnoreCase))
            {
                _utc = true;
                _end -= 4;
            }
            else
            {
                var lastSpace = _text.LastIndexOf(' ');
                if (lastSpace >= 0 && TryZone(_text.AsSpan(lastSpace + 1), out zone))
                {
                    zoneName = _text[(lastSpace + 1)..];
                    _end = lastSpace;
                }
            }

            if (_end == 0)
            {
                return Fail(CalendarParseErrorCode.Empty, 0, 0);
            }

            if (Shorthand(_text.AsSpan(0, _end)))
            {
                return true;
            }

            _i = 0;
            if (!ParseWeekdays())
            {
                return false;
            }

            var date = ParseDate();
            if (date < 0)
            {
                return false;
            }

            if (date == 0 && !ParseTime())
            {
                return false;
            }

            return _i == _end || Fail(CalendarParseErrorCode.UnexpectedCharacter, _i);
        }

        /// <summary>systemd's timezone_is_valid: a name of letters, digits, '-', '_', '+' and single '/' that names a zone.</summary>
        private static bool TryZone(ReadOnlySpan<char> name, [NotNullWhen(true)] out TimeZoneInfo? zone)
        {
            zone = null;
            if (name.IsEmpty || !char.IsAsciiLetter(name[0]) || name[^1] == '/' || name.Contains("//", StringComparison.Ordinal))
            {
                return false;
            }

            foreach (var ch in name)
            {
                if (!char.IsAsciiLetterOrDigit(ch) && ch is not ('-' or '_' or '+' or '/'))
                {
                    return false;
                }
            }

            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(name.ToString());
                return true;
            }
            catch (TimeZoneNotFoundException)
            {
                return false;
            }
            catch (InvalidTimeZoneException)
            {
                return false;
            }
        }

        private bool Shorthand(ReadOnlySpan<char> body)
        {
            static List<Item> Const(params ReadOnlySpan<int> values)
            {
                var list = new List<Item>(values.Length);
                foreach (var v in values)
                {
                    list.Add(new Item(v, -1, 0, 0, 0));
                }

                return list;
            }

            static bool Is(ReadOnlySpan<char> body, string word) => body.Equals(word, StringComparison.OrdinalIgnoreCase);

            if (Is(body, "minutely"))
            {
                _usec = Const(0);
            }
            else if (Is(body, "hourly"))
            {
                (_minute, _usec) = (Const(0), Const(0));
            }
            else if (Is(body, "daily"))
            {
                (_hour, _minute, _usec) = (Const(0), Const(0), Const(0));
            }
            else if (Is(body, "monthly"))
            {
                (_day, _hour, _minute, _usec) = (Const(1), Const(0), Const(0), Const(0));
            }
            else if (Is(body, "annually") || Is(body, "yearly") || Is(body, "anually"))
            {
                (_month, _day, _hour, _minute, _usec) = (Const(1), Const(1), Const(0), Const(0), Const(0));
            }
            else if (Is(body, "weekly"))
            {
                _weekdays = 1;
                (_hour, _minute, _usec) = (Const(0), Const(0), Const(0));
            }
            else if (Is(body, "quarterly"))
            {
                (_month, _day, _hour, _minute, _usec) = (Const(1, 4, 7, 10), Const(1), Const(0), Const(0), Const(0));
            }
            else if (Is(body, "biannually") || Is(body, "bi-annually") || Is(body, "semiannually") || Is(body, "semi-annually"))
            {
                (_month, _day, _hour, _minute, _usec) = (Const(1, 7), Const(1), Const(0), Const(0), Const(0));
            }
            else
            {
                return false;
            }

            return true;
        }

        private bool ParseWeekdays()
        {
            var l = -1;
            var first = true;
            while (true)
            {
                var nameAt = _i;
                var found = -1;
                var skip = 0;
                foreach (var (name, day) in s_weekdays)
                {
                    if (_end - _i >= name.Length && _text.AsSpan(_i, name.Length).Equals(name, StringComparison.OrdinalIgnoreCase))
                    {
                        found = day;
                        skip = name.Length;
                        break;
                    }
                }

                if (found < 0)
                {
                    return first || Fail(CalendarParseErrorCode.WeekdayExpected, _i, WordLength(_i), CalendarField.Weekday);
                }

                if (At(_i + skip) is not ('\0' or '-' or '.' or ',' or ' '))
                {
                    return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i + skip, 1, CalendarField.Weekday);
                }

                _weekdays |= 1 << found;
                if (l >= 0)
                {
                    if (l > found)
                    {
                        return Fail(CalendarParseErrorCode.WeekdayRangeReversed, nameAt, skip, CalendarField.Weekday);
                    }

                    for (var j = l + 1; j < found; j++)
                    {
                        _weekdays |= 1 << j;
                    }
                }

                _i += skip;
                if (_i == _end)
                {
                    return true;
                }

                if (At(_i) == ' ')
                {
                    SkipSpaces();
                    return true;
                }

                if (At(_i) == '.')
                {
                    if (l >= 0)
                    {
                        return Fail(CalendarParseErrorCode.WeekdayRangeChained, _i, 2, CalendarField.Weekday);
                    }

                    if (At(_i + 1) != '.')
                    {
                        return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Weekday);
                    }

                    l = found;
                    _i += 2;
                }
                else if (At(_i) == '-')
                {
                    // A range written with '-', kept by systemd for backwards compatibility.
                    if (l >= 0)
                    {
                        return Fail(CalendarParseErrorCode.WeekdayRangeChained, _i, 1, CalendarField.Weekday);
                    }

                    l = found;
                    _i += 1;
                }
                else if (At(_i) == ',')
                {
                    l = -1;
                    _i += 1;
                }

                // A trailing comma is allowed, an open range is not.
                if (_i == _end || At(_i) == ' ')
                {
                    SkipSpaces();
                    return l < 0 || Fail(CalendarParseErrorCode.WeekdayRangeOpen, _i, 1, CalendarField.Weekday);
                }

                first = false;
            }
        }

        private int WordLength(int at)
        {
            var end = at;
            while (end < _end && _text[end] != ' ')
            {
                end++;
            }

            return Math.Max(1, end - at);
        }

        private void SkipSpaces()
        {
            while (_i < _end && _text[_i] == ' ')
            {
                _i++;
            }
        }

        /// <summary>1: a timestamp (no time follows); 0: done, a time follows (or the date was a time); -1: error.</summary>
        private int ParseDate()
        {
            if (_i == _end)
            {
                return 0;
            }

            if (At(_i) == '@')
            {
                return ParseTimestamp() ? 1 : -1;
            }

            var start = _i;
            if (!ParseChain(usec: false, CalendarField.Year, out var first))
            {
                return -1;
            }

            // Already the end, or a ':'? Then this was a time, not a date.
            if (_i == _end || At(_i) == ':')
            {
                _i = start;
                return 0;
            }

            var tilde = -1;
            if (At(_i) == '~')
            {
                _endOfMonth = true;
                tilde = _i;
            }
            else if (At(_i) != '-')
            {
                return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Month) ? 0 : -1;
            }

            _i++;
            if (!ParseChain(usec: false, CalendarField.Day, out var second))
            {
                return -1;
            }

            if (_i == _end || At(_i) == ' ')
            {
                SkipSpaces();
                (_month, _day) = (first, second);
                return 0;
            }

            if (_endOfMonth)
            {
                return Fail(CalendarParseErrorCode.EndOfMonthNotBeforeDay, tilde) ? 0 : -1;
            }

            if (At(_i) == '~')
            {
                _endOfMonth = true;
            }
            else if (At(_i) != '-')
            {
                return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Day) ? 0 : -1;
            }

            _i++;
            if (!ParseChain(usec: false, CalendarField.Day, out var third))
            {
                return -1;
            }

            if (_i != _end && At(_i) != ' ')
            {
                return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Day) ? 0 : -1;
            }

            SkipSpaces();
            (_year, _month, _day) = (first, second, third);
            return 0;
        }

        /// <summary>@SECONDS since the epoch: that one second, in UTC.</summary>
        private bool ParseTimestamp()
        {
            var at = _i;
            _i++;
            var digits = _i;
            ulong value = 0;
            while (_i < _end && char.IsAsciiDigit(_text[_i]))
            {
                if (value > (ulong.MaxValue - 9) / 10)
                {
                    return Fail(CalendarParseErrorCode.NumberTooLarge, at, WordLength(at), CalendarField.Timestamp);
                }

                value = (value * 10) + (ulong)(_text[_i] - '0');
                _i++;
            }

            if (_i == digits)
            {
                return Fail(CalendarParseErrorCode.NumberExpected, _i, 1, CalendarField.Timestamp);
            }

            // The last second of 2199, the last year systemd computes.
            const ulong Last = 7_289_654_399UL;
            if (value > Last)
            {
                return Fail(CalendarParseErrorCode.ValueOutOfRange, at, _i - at, CalendarField.Timestamp);
            }

            var dt = DateTime.UnixEpoch.AddSeconds(value);
            static List<Item> One(int v, int position, int length) => [new Item(v, -1, 0, position, length)];
            _year = One(dt.Year, at, _i - at);
            _month = One(dt.Month, at, _i - at);
            _day = One(dt.Day, at, _i - at);
            _hour = One(dt.Hour, at, _i - at);
            _minute = One(dt.Minute, at, _i - at);
            _usec = One(dt.Second * Usec, at, _i - at);
            _utc = true;
            return true;
        }

        private bool ParseTime()
        {
            if (_i == _end)
            {
                // No time at all means 00:00:00.
                _hour = [new Item(0, -1, 0, _i, 0)];
                _minute = [new Item(0, -1, 0, _i, 0)];
                _usec = [new Item(0, -1, 0, _i, 0)];
                return true;
            }

            if (!ParseChain(usec: false, CalendarField.Hour, out _hour))
            {
                return false;
            }

            if (At(_i) != ':')
            {
                return _i == _end
                    ? Fail(CalendarParseErrorCode.UnexpectedEnd, _i, 0, CalendarField.Hour)
                    : Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Hour);
            }

            _i++;
            if (!ParseChain(usec: false, CalendarField.Minute, out _minute))
            {
                return false;
            }

            if (_i == _end)
            {
                _usec = [new Item(0, -1, 0, _i, 0)];
                return true;
            }

            if (At(_i) != ':')
            {
                return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Minute);
            }

            _i++;
            if (!ParseChain(usec: true, CalendarField.Second, out _usec))
            {
                return false;
            }

            return _i == _end || Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, CalendarField.Second);
        }

        /// <summary>'*' (null, or every whole second for seconds) or a list of values, ranges and repetitions.</summary>
        private bool ParseChain(bool usec, CalendarField field, out List<Item>? chain)
        {
            chain = null;
            if (At(_i) == '*')
            {
                if (usec)
                {
                    chain = [new Item(0, -1, Usec, _i, 1)];
                }

                _i++;
                return true;
            }

            chain = [];
            for (var nesting = 0; ; nesting++)
            {
                if (nesting > MaxListItems)
                {
                    return Fail(CalendarParseErrorCode.TooManyItems, _i, 1, field);
                }

                var at = _i;
                if (!ParseDecimal(usec, field, out var start))
                {
                    return false;
                }

                int stop = -1, repeat = 0;
                if (At(_i) == '.' && At(_i + 1) == '.')
                {
                    _i += 2;
                    if (!ParseDecimal(usec, field, out stop))
                    {
                        return false;
                    }

                    repeat = usec ? Usec : 1;
                }

                if (At(_i) == '/')
                {
                    _i++;
                    var repeatAt = _i;
                    if (!ParseDecimal(usec, field, out repeat))
                    {
                        return false;
                    }

                    if (repeat == 0)
                    {
                        return Fail(CalendarParseErrorCode.ZeroRepetition, repeatAt, _i - repeatAt, field);
                    }
                }
                else
                {
                    if (start > int.MaxValue - repeat)
                    {
                        return Fail(CalendarParseErrorCode.NumberTooLarge, at, _i - at, field);
                    }

                    // Without a step, a seconds range steps by one second, so it must span at least one.
                    if (usec && stop >= 0 && start + repeat > stop)
                    {
                        return Fail(CalendarParseErrorCode.EmptyRange, at, _i - at, field);
                    }
                }

                if (At(_i) is not ('\0' or ' ' or ',' or '-' or '~' or ':') || (_i < _end && _text[_i] == '\0'))
                {
                    return Fail(CalendarParseErrorCode.UnexpectedCharacter, _i, 1, field);
                }

                chain.Add(new Item(start, stop, repeat, at, _i - at));
                if (At(_i) != ',')
                {
                    return true;
                }

                _i++;
            }
        }

        /// <summary>A decimal number; for seconds, with up to six decimals (rounded on the seventh), in microseconds.</summary>
        private bool ParseDecimal(bool usec, CalendarField field, out int result)
        {
            result = 0;
            var at = _i;
            if (!char.IsAsciiDigit(At(_i)))
            {
                return _i == _end
                    ? Fail(CalendarParseErrorCode.NumberExpected, _i, 0, field)
                    : Fail(CalendarParseErrorCode.NumberExpected, _i, 1, field);
            }

            ulong value = 0;
            var overflow = false;
            while (char.IsAsciiDigit(At(_i)))
            {
                var digit = (ulong)(_text[_i] - '0');
                if (value > (ulong.MaxValue - digit) / 10)
                {
                    overflow = true;
                }
                else
                {
                    value = (value * 10) + digit;
                }

                _i++;
            }

            if (overflow)
            {
                return Fail(CalendarParseErrorCode.NumberTooLarge, at, _i - at, field);
            }

            if (usec)
            {
                if (value > ulong.MaxValue / Usec)
                {
                    return Fail(CalendarParseErrorCode.NumberTooLarge, at, _i - at, field);
                }

                value *= Usec;

                // One '.' is a decimal point, but ".." is a range.
                if (At(_i) == '.' && At(_i + 1) != '.')
                {
                    _i++;
                    if (!char.IsAsciiDigit(At(_i)))
                    {
                        return Fail(CalendarParseErrorCode.NumberExpected, _i, 1, field);
                    }

                    uint fraction = 0;
                    for (var n = 0; n < 6; n++)
                    {
                        fraction *= 10;
                        if (char.IsAsciiDigit(At(_i)))
                        {
                            fraction += (uint)(_text[_i] - '0');
                            _i++;
                        }
                    }

                    if (At(_i) is >= '5' and <= '9')
                    {
                        fraction++;
                    }

                    while (char.IsAsciiDigit(At(_i)))
                    {
                        _i++;
                    }

                    value += fraction;
                }
            }

            if (value > int.MaxValue)
            {
                return Fail(CalendarParseErrorCode.NumberTooLarge, at, _i - at, field);
            }

            result = (int)value;
            return true;
        }

        /// <summary>systemd's calendar_spec_normalize: two-digit years, ranges cut to whole steps, lists sorted and unique.</summary>
        private void Normalize()
        {
            if (_year is not null)
            {
                for (var k = 0; k < _year.Count; k++)
                {
                    var item = _year[k];
                    item.Start = FixYear(item.Start);
                    item.Stop = FixYear(item.Stop);
                    _year[k] = item;
                }
            }

            NormalizeChain(_year);
            NormalizeChain(_month);
            NormalizeChain(_day);
            NormalizeChain(_hour);
            NormalizeChain(_minute);
            NormalizeChain(_usec);

            static int FixYear(int y) => y switch
            {
                >= 0 and < 70 => y + 2000,
                >= 70 and < 100 => y + 1900,
                _ => y,
            };
        }

        private static void NormalizeChain(List<Item>? chain)
        {
            if (chain is null)
            {
                return;
            }

            for (var k = 0; k < chain.Count; k++)
            {
                var c = chain[k];
                if (c.Stop > c.Start && c.Repeat > 0)
                {
                    c.Stop -= (c.Stop - c.Start) % c.Repeat;
                }

                // A step that cannot fire twice, or a range of one value, is just that value.
                if ((c.Stop > c.Start && c.Repeat > 0 && c.Start + c.Repeat > c.Stop) || c.Start == c.Stop)
                {
                    c.Repeat = 0;
                    c.Stop = -1;
                }

                chain[k] = c;
            }

            chain.Sort(static (a, b) =>
            {
                var r = a.Start.CompareTo(b.Start);
                if (r == 0)
                {
                    r = a.Stop.CompareTo(b.Stop);
                }

                return r != 0 ? r : a.Repeat.CompareTo(b.Repeat);
            });

            for (var k = chain.Count - 1; k > 0; k--)
            {
                if (chain[k - 1].Start == chain[k].Start && chain[k - 1].Stop == chain[k].Stop && chain[k - 1].Repeat == chain[k].Repeat)
                {
                    chain.RemoveAt(k - 1);
                }
            }
        }

        private bool Validate()
            => ValidChain(_year, MinYear, MaxYear, endOfMonth: false, CalendarField.Year)
            && ValidChain(_month, 1, 12, endOfMonth: false, CalendarField.Month)
            && ValidChain(_day, 1, 31, _endOfMonth && _day is not null, CalendarField.Day)
            && ValidChain(_hour, 0, 23, endOfMonth: false, CalendarField.Hour)
            && ValidChain(_minute, 0, 59, endOfMonth: false, CalendarField.Minute)
            && ValidChain(_usec, 0, (60 * Usec) - 1, endOfMonth: false, CalendarField.Second);

        /// <summary>systemd's chain_valid, which also insists that a step fits at least once in the field.</summary>
        private bool ValidChain(List<Item>? chain, int from, int to, bool endOfMonth, CalendarField field)
        {
            if (chain is null)
            {
                return true;
            }

            foreach (var c in chain)
            {
                // No more than 28 days counted from the end of the month. systemd lowers the limit by 3 again for
                // each further item of a '~' list (its chain_valid recurses with the lowered limit), so that
                // "*-*~03,25" is refused while "*-*~25" is not; kept, to refuse what systemd refuses.
                if (endOfMonth)
                {
                    to -= 3;
                }

                if (c.Start < from || c.Start > to)
                {
                    return Fail(CalendarParseErrorCode.ValueOutOfRange, c.Position, c.Length, field);
                }

                if (c.Repeat > to - from)
                {
                    return Fail(CalendarParseErrorCode.RepetitionTooLarge, c.Position, c.Length, field);
                }

                if (c.Stop >= 0)
                {
                    if (c.Stop < from || c.Stop > to)
                    {
                        return Fail(CalendarParseErrorCode.ValueOutOfRange, c.Position, c.Length, field);
                    }

                    if (c.Start + c.Repeat > c.Stop)
                    {
                        return Fail(CalendarParseErrorCode.EmptyRange, c.Position, c.Length, field);
                    }
                }
                else if ((endOfMonth && c.Start - c.Repeat < from) || (!endOfMonth && c.Start + c.Repeat > to))
                {
                    return Fail(CalendarParseErrorCode.RepetitionNeverRepeats, c.Position, c.Length, field);
                }
            }

            return true;
        }

        private static CalendarComponent[]? ToChain(List<Item>? chain)
        {
            if (chain is null)
            {
                return null;
            }

            var result = new CalendarComponent[chain.Count];
            for (var k = 0; k < result.Length; k++)
            {
                result[k] = new CalendarComponent(chain[k].Start, chain[k].Stop, chain[k].Repeat);
            }

            return result;
        }
    }
}
