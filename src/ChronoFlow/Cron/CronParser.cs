using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ChronoFlow;

/// <summary>
/// The hand-written cron parser. It reads a span once, fills a <see cref="CronFieldsBuilder"/> and returns an
/// error code with a position instead of throwing, so that <c>TryParse</c> neither throws nor allocates.
/// </summary>
internal static class CronParser
{
    /// <summary>
    /// <c>CronExpression.Parse</c>: the lean pass, or the full parser, or the exception. It returns the value, so that
    /// <c>return CronParser.ParseOrThrow(...)</c> in <c>Parse</c> hands the caller's own storage down as the return
    /// buffer and the lean pass's <c>return new CronExpression(...)</c> stores each field once, straight into it.
    /// </summary>
    /// <remarks>
    /// This replaced a <c>TryParse</c> into a local that <c>Parse</c> then returned: the parser wrote that local field
    /// by field (narrow stores after a zeroing), and the return copied it with two wide loads. A wide load over
    /// several narrow stores still in flight cannot take its data from them (store-to-load forwarding fails) and
    /// waits for them to reach the cache, which made up a fifth of a five-field parse. Never inlined, so that it is
    /// compiled as a root with its own inlining budget (see <see cref="TryParse"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static CronExpression ParseOrThrow(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed)
    {
        if (TryParseLean(text, format, out var seconds, out var minutes, out var hours, out var daysOfMonth, out var months, out var daysOfWeek, out var flags))
        {
            return new CronExpression(seconds, minutes, hours, daysOfMonth, months, daysOfWeek, flags);
        }

        return ParseFullOrThrow(text, format, seed);
    }

    /// <summary>The full parser for <see cref="ParseOrThrow"/>; throws the <see cref="CronFormatException"/> for invalid text.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CronExpression ParseFullOrThrow(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed)
    {
        var b = default(CronFieldsBuilder);
        var error = ParseCore(text, format, seed, ref b);
        if (error.Code != CronParseErrorCode.None)
        {
            ThrowHelper.ThrowCronFormatException(text, format, error);
        }

        Finish(ref b);
        return Unsafe.As<CronFieldsBuilder, CronExpression>(ref b);
    }

    /// <summary>
    /// Parses <paramref name="text"/> into <paramref name="result"/>: the lean pass, else the full parser. On
    /// failure <paramref name="result"/> is <see langword="default"/> and the reason is not kept (so that the result
    /// is a register); <see cref="Parse"/> gives the reason.
    /// </summary>
    /// <remarks>
    /// Never inlined, on purpose. Inlined into a small public wrapper, this method and the lean pass inherit the
    /// wrapper's inline budget (a multiple of the root method's size), which runs out before the lean pass's
    /// helpers are inlined: an earlier disassembly showed the per-field calls of the lean pass out of line, with
    /// every cursor and out value spilled to the stack. Compiled as its own root it gets its own budget.
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool TryParse(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, out CronExpression result)
    {
        if (TryParseLean(text, format, out var seconds, out var minutes, out var hours, out var daysOfMonth, out var months, out var daysOfWeek, out var flags))
        {
            result = new CronExpression(seconds, minutes, hours, daysOfMonth, months, daysOfWeek, flags);
            return true;
        }

        return TryParseFull(text, format, seed, out result);
    }

    /// <summary>The full parser for <see cref="TryParse"/>, writing into the caller's storage.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool TryParseFull(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, out CronExpression result)
    {
        Unsafe.SkipInit(out result);
        ref var b = ref Unsafe.As<CronExpression, CronFieldsBuilder>(ref result);
        b = default;
        if (ParseCore(text, format, seed, ref b).Code != CronParseErrorCode.None)
        {
            b = default;
            return false;
        }

        Finish(ref b);
        return true;
    }

    /// <summary>Parses <paramref name="text"/>, with the reason when it is not valid (for the exception's message and <c>Schedule</c>).</summary>
    public static CronParseError Parse(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, out CronExpression result)
    {
        if (TryParse(text, format, seed, out result))
        {
            return default;
        }

        // Invalid: read it again for the reason (the lean pass has no errors of its own, so the full parser's is the one).
        var b = default(CronFieldsBuilder);
        return ParseCore(text, format, seed, ref b);
    }

    /// <summary>The lean pass alone, so that tests can hold it to the full parser (<see cref="ParseFull"/>).</summary>
    internal static bool TryParseLeanOnly(ReadOnlySpan<char> text, CronFormat format, out CronExpression result)
    {
        if (TryParseLean(text, format, out var seconds, out var minutes, out var hours, out var daysOfMonth, out var months, out var daysOfWeek, out var flags))
        {
            result = new CronExpression(seconds, minutes, hours, daysOfMonth, months, daysOfWeek, flags);
            return true;
        }

        result = default;
        return false;
    }

    /// <summary>The full parser alone, without the lean pass in front of it: what the lean pass must agree with.</summary>
    internal static CronParseError ParseFull(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, out CronExpression result)
    {
        var b = default(CronFieldsBuilder);
        var error = ParseCore(text, format, seed, ref b);
        if (error.Code != CronParseErrorCode.None)
        {
            result = default;
            return error;
        }

        Finish(ref b);
        result = Unsafe.As<CronFieldsBuilder, CronExpression>(ref b);
        return default;
    }

    /// <summary>The flags both parse paths derive from the fields: parsed, plain days, every day.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(ref CronFieldsBuilder b)
    {
        b.Flags |= CronFlags.Parsed;
        if ((b.Flags & (CronFlags.DayOr | CronFlags.DayOfMonthSpecials | CronFlags.DayOfWeekSpecials)) == 0
            && b.DaysOfWeek == CronConstants.AllWeekdays)
        {
            b.Flags |= CronFlags.PlainDays;
        }

        const CronFlags DayRules = CronFlags.DayOr | CronFlags.DayOfMonthSpecials | CronFlags.DayOfWeekSpecials | CronFlags.NeverFires | CronFlags.AnyYear;
        if ((b.Flags & DayRules) == CronFlags.AnyYear
            && b.DaysOfMonth == CronConstants.AllDays
            && b.Months == CronConstants.AllMonths
            && b.DaysOfWeek == CronConstants.AllWeekdays)
        {
            b.Flags |= CronFlags.EveryDay;
        }
    }

    /// <summary>
    /// A lean pass over the common grammar: *, ?, numbers, names, ranges, steps and lists, in the crontab dialect
    /// (without the year field) and in Quartz.NET's (six fields). Anything else (specials, H, wrapping ranges, the
    /// year, macros, faults) returns false and the full parser decides, so errors and rare syntax have one
    /// implementation. It yields what the full parser and <see cref="Finish"/> would put in the fields that can be
    /// non-zero without specials or a year field, flags included.
    /// </summary>
    /// <remarks>
    /// Inlined into its callers; each field is read by its own compiled copy of <see cref="ReadLeanField"/>, which
    /// hands back the field's bits and the next position in two registers. Every value stays in a register or a
    /// stack slot of this method until the caller stores the result once: no table reads, no switch to store a
    /// field, no zeroed builder read back.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParseLean(
        ReadOnlySpan<char> text,
        CronFormat format,
        out ulong seconds,
        out ulong minutes,
        out uint hours,
        out uint daysOfMonth,
        out ushort months,
        out byte daysOfWeek,
        out CronFlags flags)
    {
        Unsafe.SkipInit(out seconds);
        Unsafe.SkipInit(out minutes);
        Unsafe.SkipInit(out hours);
        Unsafe.SkipInit(out daysOfMonth);
        Unsafe.SkipInit(out months);
        Unsafe.SkipInit(out daysOfWeek);
        Unsafe.SkipInit(out flags);
        if ((format & CronFormat.IncludeYear) != 0)
        {
            return false;
        }

        var quartz = (format & CronFormat.Quartz) != 0;
        var n = text.Length;
        var i = 0;
        while (i < n && IsBlank(text[i]))
        {
            i++;
        }

        // What the fields were like, as bits: IntervalBit when some time field holds *, a range or a step (the
        // expression is not fixed-time), and the two day fields' stars.
        var kinds = 0;
        if (quartz || (format & CronFormat.IncludeSeconds) != 0)
        {
            if (!ReadField<SecondField>(text, ref i, quartz, out seconds, ref kinds))
            {
                return false;
            }
        }
        else
        {
            seconds = 1; // second 0
        }

        if (!ReadField<MinuteField>(text, ref i, quartz, out minutes, ref kinds)
            || !ReadField<HourField>(text, ref i, quartz, out var bits, ref kinds))
        {
            return false;
        }

        var hourBits = (uint)bits;
        if (!ReadField<DayOfMonthField>(text, ref i, quartz, out bits, ref kinds))
        {
            return false;
        }

        var dom = (uint)bits;
        if (!ReadField<MonthField>(text, ref i, quartz, out bits, ref kinds))
        {
            return false;
        }

        var monthBits = (ushort)bits;
        if (!ReadField<DayOfWeekField>(text, ref i, quartz, out bits, ref kinds) || i != n)
        {
            return false; // a field the lean grammar does not cover, or more fields: a Quartz year, or a wrong count for the full parser to report
        }

        // 7 is Sunday, like 0; in Quartz's numbering 1 is Sunday and 7 Saturday.
        var dow = quartz
            ? (byte)((bits >> 1) & CronConstants.AllWeekdays)
            : (byte)((bits | (bits >> 7)) & CronConstants.AllWeekdays);

        // FormatFlags, without the year (the lean pass reads none): IncludeSeconds (1) is FormatSeconds (1 << 11),
        // IntersectDays (2) is FormatIntersect (1 << 13).
        var f = (CronFlags)((((uint)format & 1) << 11) | (((uint)format & 2) << 12)) | CronFlags.AnyYear | CronFlags.Parsed;
        if (quartz)
        {
            f |= CronFlags.FormatQuartz | CronFlags.FormatSeconds;
        }

        if ((kinds & IntervalBit) == 0)
        {
            f |= CronFlags.FixedTime;
        }

        // FinishDays and Finish for a pass that sets none of the day specials (L, W, #).
        if ((kinds & DomStarBit) != 0)
        {
            f |= CronFlags.DayOfMonthStar;
        }

        if ((kinds & DowStarBit) != 0)
        {
            f |= CronFlags.DayOfWeekStar;
        }

        if ((kinds & (DomStarBit | DowStarBit)) == 0 && (format & CronFormat.IntersectDays) == 0)
        {
            // Vixie rule: either field may match. Either field matching every day makes every day match.
            if (dom == CronConstants.AllDays || dow == CronConstants.AllWeekdays)
            {
                dom = CronConstants.AllDays;
                dow = CronConstants.AllWeekdays;
                f |= CronFlags.DayOfMonthStar | CronFlags.DayOfWeekStar;
            }
            else
            {
                f |= CronFlags.DayOr;
            }
        }

        if ((f & CronFlags.DayOr) == 0)
        {
            if (dow == CronConstants.AllWeekdays)
            {
                f |= CronFlags.PlainDays;
                if (monthBits != CronConstants.AllMonths)
                {
                    // Plain days that no allowed month has (0 0 30 2 *), as FinishDays checks.
                    var longest = (monthBits & LongMonths) != 0 ? 31 : (monthBits & ~(1 << 2) & 0x1FFE) != 0 ? 30 : 29;
                    if (BitOperations.TrailingZeroCount(dom) > longest)
                    {
                        f |= CronFlags.NeverFires;
                    }
                }
                else if (dom == CronConstants.AllDays)
                {
                    f |= CronFlags.EveryDay;
                }
            }
            else if (dow == 0)
            {
                // Both day fields must match and no weekday is allowed: with no weekday specials, nothing can match.
                f |= CronFlags.NeverFires;
            }
        }

        hours = hourBits;
        daysOfMonth = dom;
        months = monthBits;
        daysOfWeek = dow;
        flags = f;
        return true;
    }

    /// <summary>
    /// One field of the lean pass at <paramref name="i"/>, which it moves to the next field: the one-character fields
    /// (<c>*</c>, <c>?</c>, a digit) and two-digit numbers inline, anything else by <see cref="ReadLeanField"/>.
    /// False when the lean grammar does not cover the field.
    /// </summary>
    /// <remarks>
    /// Inlined, but only this much: a few instructions per field, so that the lean pass stays a small method whose
    /// code the JIT lays out the same way whatever profile it collected (see <see cref="ReadLeanField"/>).
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReadField<TField>(ReadOnlySpan<char> text, ref int i, bool quartz, out ulong bits, ref int kinds)
        where TField : struct, ILeanField
    {
        var f = TField.Number;
        var min = f is 3 or 4 ? 1 : f == 5 && quartz ? 1 : 0;
        var max = f switch
        {
            0 or 1 => 59,
            2 => 23,
            3 => 31,
            4 => 12,
            _ => 7,
        };
        var c = Peek(text, i);
        var next = Peek(text, i + 1);
        var end = i + 1;
        if (IsBlank(next))
        {
            if (c == '*' || (c == '?' && f is 3 or 5))
            {
                // A lone * (or ?): every value; the time fields are then not fixed-time, the day fields unrestricted.
                bits = (2UL << max) - (1UL << min);
                kinds |= f <= 2 ? IntervalBit : f == 3 ? DomStarBit : f == 5 ? DowStarBit : 0;
                goto Blanks;
            }

            if (IsDigit(c) && c - '0' >= min && c - '0' <= max)
            {
                bits = 1UL << (c - '0');
                goto Blanks;
            }
        }
        else if (IsDigit(c) && IsDigit(next) && IsBlank(Peek(text, i + 2)))
        {
            var value = ((c - '0') * 10) + (next - '0');
            if (value >= min && value <= max)
            {
                bits = 1UL << value;
                end++;
                goto Blanks;
            }
        }

        var r = ReadLeanField<TField>(text, i, quartz);
        bits = r.Bits;
        i = r.Next;
        kinds |= r.Kinds;
        return i >= 0;

    Blanks:
        // end is at a blank or the end of the text; skip the blanks.
        while ((uint)end < (uint)text.Length && IsBlank(text[end]))
        {
            end++;
        }

        i = end;
        return true;
    }

    /// <summary>
    /// One field of the lean pass, <typeparamref name="TField"/>, from position <paramref name="i"/>: its bits, the
    /// position of the next field (past the blanks; -1 when the lean grammar does not cover the field) and its kinds
    /// (<see cref="IntervalBit"/>, the field's star bit). A lone <c>*</c> (or <c>?</c>), <c>*/n</c>, a number, a
    /// name and a range in order are read here; the rest (lists, steps, wrapping ranges) by
    /// <see cref="LeanGeneralField"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// One method per field, compiled apart: <typeparamref name="TField"/> is a struct, so each field gets its own
    /// code with its range and kind as constants, and each is a small unit for the JIT. With all six fields inlined
    /// into one method, that method held hundreds of locals, more than the JIT tracks; which ones it kept in
    /// registers then hung on the profile it happened to collect first, and the same benchmark ran at 11 ns in one
    /// process and 22 ns in another.
    /// </para>
    /// <para>
    /// Each character is read once, by <see cref="Peek"/>, and carried from one step to the next: the end of the
    /// text reads as a blank, so no step needs its own bounds check.
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LeanField ReadLeanField<TField>(ReadOnlySpan<char> text, int i, bool quartz)
        where TField : struct, ILeanField
    {
        var f = TField.Number;
        var min = f is 3 or 4 ? 1 : f == 5 && quartz ? 1 : 0; // Quartz numbers the days 1-7
        var max = f switch
        {
            0 or 1 => 59,
            2 => 23,
            3 => 31,
            4 => 12,
            _ => 7,
        };
        var timeField = f <= 2;
        var dayField = f is 3 or 5;
        var starBit = f == 3 ? DomStarBit : f == 5 ? DowStarBit : 0;
        var start = i;
        var c = Peek(text, i);
        ulong bits;
        int kinds;
        if (IsBlank(c))
        {
            // The blanks before this field were skipped, so this is the end of the text: a field is missing.
            return LeanField.Fail;
        }

        if (c == '*' || (dayField && c == '?'))
        {
            var open = c;
            c = Peek(text, ++i);
            if (IsBlank(c))
            {
                // The commonest field of all: a lone * (or ?).
                bits = (2UL << max) - (1UL << min);
                kinds = timeField ? IntervalBit : starBit;
                goto Blanks;
            }

            if (open == '*' && c == '/')
            {
                // A step over the whole range: */n.
                c = Peek(text, ++i);
                if (IsDigit(c))
                {
                    var step = c - '0';
                    c = Peek(text, ++i);
                    if (IsDigit(c))
                    {
                        step = (step * 10) + (c - '0');
                        c = Peek(text, ++i);
                    }

                    if (IsBlank(c) && step >= 1 && step <= max)
                    {
                        bits = (StepMasks[step] << min) & ((2UL << max) - 1);
                        kinds = (timeField ? IntervalBit : 0) | (quartz ? 0 : starBit);
                        goto Blanks;
                    }
                }
            }
        }
        else if (ReadLeanValueInline(text, ref i, ref c, f, quartz, out var lo))
        {
            // A number or a name, alone or as the start of a range lo-hi.
            if (IsBlank(c))
            {
                if (lo >= min && lo <= max)
                {
                    bits = 1UL << lo;
                    kinds = 0;
                    goto Blanks;
                }
            }
            else if (c == '-')
            {
                c = Peek(text, ++i);
                if (ReadLeanValueInline(text, ref i, ref c, f, quartz, out var hi)
                    && IsBlank(c)
                    && lo >= min && lo <= hi && hi <= max)
                {
                    // A range in order (a reversed one wraps, which the full parser reads).
                    bits = (2UL << hi) - (1UL << lo);
                    kinds = timeField ? IntervalBit : 0;
                    goto Blanks;
                }
            }
        }

        // Lists, steps, wrapping ranges and the rest, out of line, from the start of the field: a tail call, so that
        // this method keeps no value across a call and needs no registers saved on its common paths.
        return ReadLeanFieldGeneral(text, start, f, quartz);

    Blanks:
        // The field ended at a blank or at the end of the text (which reads as a blank); skip the blanks.
        while (IsBlank(c) && i < text.Length)
        {
            c = Peek(text, ++i);
        }

        return new LeanField(bits, i, kinds);
    }

    /// <summary><see cref="ReadLeanField"/> for the shapes it does not read itself: <see cref="LeanGeneralField"/>, then the blanks.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LeanField ReadLeanFieldGeneral(ReadOnlySpan<char> text, int start, int f, bool quartz)
    {
        var r = LeanGeneralField(text, start, f, quartz);
        var i = r.Next;
        if (i < 0 || !IsBlank(Peek(text, i)))
        {
            return LeanField.Fail;
        }

        while (i < text.Length && IsBlank(text[i]))
        {
            i++;
        }

        var starBit = f == 3 ? DomStarBit : f == 5 ? DowStarBit : 0;
        return new LeanField(r.Bits, i, (r.Kinds & IntervalBit) | ((r.Kinds & DomStarBit) != 0 ? starBit : 0));
    }

    /// <summary>A field of the lean pass, as a type, so that <see cref="ReadLeanField"/> is compiled for each.</summary>
    private interface ILeanField
    {
        /// <summary>0 second, 1 minute, 2 hour, 3 day-of-month, 4 month, 5 day-of-week.</summary>
        static abstract int Number { get; }
    }

    private struct SecondField : ILeanField
    {
        public static int Number => 0;
    }

    private struct MinuteField : ILeanField
    {
        public static int Number => 1;
    }

    private struct HourField : ILeanField
    {
        public static int Number => 2;
    }

    private struct DayOfMonthField : ILeanField
    {
        public static int Number => 3;
    }

    private struct MonthField : ILeanField
    {
        public static int Number => 4;
    }

    private struct DayOfWeekField : ILeanField
    {
        public static int Number => 5;
    }

    /// <summary>The character at <paramref name="i"/>, or a blank past the end of the text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static char Peek(ReadOnlySpan<char> text, int i) => (uint)i < (uint)text.Length ? text[i] : ' ';

    /// <summary>
    /// A number of one or two digits at <paramref name="i"/> (whose character is <paramref name="c"/>), or a month or
    /// weekday name of three letters in the month (4) and day-of-week (5) fields, for <see cref="ReadLeanField"/>; on
    /// return <paramref name="i"/> and <paramref name="c"/> are past it. A third digit is left where it is, for the
    /// caller to see that the value does not end there. The range is the caller's to check.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReadLeanValueInline(ReadOnlySpan<char> text, ref int i, ref char c, int f, bool quartz, out int value)
    {
        if (IsDigit(c))
        {
            value = c - '0';
            c = Peek(text, ++i);
            if (IsDigit(c))
            {
                value = (value * 10) + (c - '0');
                c = Peek(text, ++i);
            }

            return true;
        }

        value = 0;
        if (f < 4 || (uint)(i + 2) >= (uint)text.Length)
        {
            return false;
        }

        // The three characters, each in its own 16 bits (so that no character spills into another's bits) and lowered
        // (| 0x20 only changes the case of a letter, and makes no other character a letter): only the name itself, in
        // any case, matches its slot. No fourth letter may follow (FRIL, a weekday and L, is the full parser's).
        ref var at = ref Unsafe.Add(ref MemoryMarshal.GetReference(text), i);
        var packed = (at | ((ulong)Unsafe.Add(ref at, 1) << 16) | ((ulong)Unsafe.Add(ref at, 2) << 32)) | 0x0020_0020_0020UL;
        var next = Peek(text, i + 3);
        var slot = f == 4 ? MonthSlots[(int)((packed * MonthHash) >> 60)] : WeekdaySlots[(int)((packed * WeekdayHash) >> 61)];
        if ((slot & 0xFFFF_FFFF_FFFFUL) != packed || IsLetter(next))
        {
            return false;
        }

        value = (int)(slot >> 48) + (f == 5 && quartz ? 1 : 0);
        i += 3;
        c = next;
        return true;
    }

    /// <summary>
    /// The multiplier of a perfect hash of the month names packed as in <see cref="ReadLeanValueInline"/>: the top four
    /// bits of the product are a slot of <see cref="MonthSlots"/>, different for each name (found by a search; the
    /// tests check every three-letter text against the full parser's reading).
    /// </summary>
    private const ulong MonthHash = 0x1D87CEC31F7296AB;

    /// <summary>The weekday names' multiplier, as <see cref="MonthHash"/>; the top three bits are a slot of <see cref="WeekdaySlots"/>.</summary>
    private const ulong WeekdayHash = 0x7EBFF20686734721;

    /// <summary>Each month's packed lower-case name with its number (1-12) in the top 16 bits, in its slot; 0 in the others.</summary>
    private static ReadOnlySpan<ulong> MonthSlots =>
    [
        0x000A00740063006F, 0x0001006E0061006A, 0x0000000000000000, 0x0006006E0075006A, // oct jan - jun
        0x000C006300650064, 0x0008006700750061, 0x0002006200650066, 0x0000000000000000, // dec aug feb -
        0x0000000000000000, 0x0009007000650073, 0x0004007200700061, 0x0000000000000000, // - sep apr -
        0x000500790061006D, 0x000B0076006F006E, 0x000300720061006D, 0x0007006C0075006A, // may nov mar jul
    ];

    /// <summary>Each weekday's packed lower-case name with its number (0-6 from Sunday) in the top 16 bits, in its slot; 0 in the other.</summary>
    private static ReadOnlySpan<ulong> WeekdaySlots =>
    [
        0x0002006500750074, 0x0004007500680074, 0x0000006E00750073, 0x0005006900720066, // tue thu sun fri
        0x0006007400610073, 0x0001006E006F006D, 0x0000000000000000, 0x0003006400650077, // sat mon - wed
    ];

    /// <summary>Bits of <see cref="LeanField.Kinds"/> and of the lean pass's own record of its fields.</summary>
    private const int IntervalBit = 1, DomStarBit = 2, DowStarBit = 4;

    /// <summary>
    /// One field of the lean pass past the simple forms (lists, ranges, steps, names), from position
    /// <paramref name="i"/> to the end of the field (the blank after it is not read).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static LeanField LeanGeneralField(ReadOnlySpan<char> text, int i, int f, bool quartz)
    {
        var n = text.Length;
        int min = LeanMin[f] + (quartz && f == 5 ? 1 : 0);
        int max = LeanMax[f];
        var timeField = f <= 2;
        var dayField = f is 3 or 5;
        var c = text[i];
        var open = c == '*' || (c == '?' && dayField);
        var interval = false;
        ulong bits;
        bool star;

        // Vixie's rule: a day field that starts with * leaves the day unrestricted; in Quartz only a lone * does.
        star = dayField && open && !quartz;
        bits = 0;
        while (true)
        {
            int lo, hi;
            var toMax = false;
            c = text[i];
            if (c == '*' || (c == '?' && dayField))
            {
                i++;
                lo = min;
                hi = max;
                interval |= timeField;
            }
            else
            {
                if (!ReadLeanValue(text, ref i, f, quartz, out lo))
                {
                    return LeanField.Fail;
                }

                hi = lo;
                if (i < n && text[i] == '-')
                {
                    i++;
                    if (!ReadLeanValue(text, ref i, f, quartz, out hi))
                    {
                        return LeanField.Fail;
                    }

                    interval |= timeField;
                }
                else
                {
                    toMax = true;
                }
            }

            var step = 1;
            if (i < n && text[i] == '/')
            {
                i++;
                if (i >= n || !IsDigit(text[i]))
                {
                    return LeanField.Fail;
                }

                step = text[i++] - '0';
                if (i < n && IsDigit(text[i]))
                {
                    step = (step * 10) + (text[i++] - '0');
                }

                if (step < 1 || step > max)
                {
                    return LeanField.Fail;
                }

                hi = toMax ? max : hi;
                interval |= timeField;
            }

            if (lo < min || hi > max || lo > hi)
            {
                return LeanField.Fail;
            }

            bits |= (StepMasks[step] << lo) & ((2UL << hi) - 1);
            if (i < n && text[i] == ',')
            {
                i++;
                if (i >= n)
                {
                    return LeanField.Fail;
                }

                continue;
            }

            break;
        }

        return new LeanField(bits, i, (interval ? IntervalBit : 0) | (star ? DomStarBit : 0));
    }

    /// <summary>
    /// What <see cref="LeanGeneralField"/> read, in two 8-byte words returned in two registers: the bits, and the
    /// position after the field (-1 when the lean grammar does not cover it) with the kinds in the high half.
    /// </summary>
    private readonly struct LeanField
    {
        public static LeanField Fail => new(0, -1, 0);

        public readonly ulong Bits;
        private readonly long _state;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public LeanField(ulong bits, int next, int kinds)
        {
            Bits = bits;
            _state = ((long)kinds << 32) | (uint)next;
        }

        public int Next => (int)_state;

        public int Kinds => (int)(_state >> 32);
    }

    /// <summary>The lowest value of each field of the lean pass by number (second, minute, hour, day-of-month, month, day-of-week).</summary>
    private static ReadOnlySpan<byte> LeanMin => [0, 0, 0, 1, 1, 0];

    /// <summary>The highest value of each field of the lean pass by number (7 is Sunday in day-of-week).</summary>
    private static ReadOnlySpan<byte> LeanMax => [59, 59, 23, 31, 12, 7];

    /// <summary>
    /// A number of one or two digits, or a name in the month (field 4) and day-of-week (field 5) fields, for the lean
    /// pass. Anything else, such as a third digit, returns false for the full parser to judge.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool ReadLeanValue(ReadOnlySpan<char> text, ref int i, int field, bool quartz, out int value)
    {
        var n = text.Length;
        if (i >= n)
        {
            value = 0;
            return false;
        }

        var c = text[i];
        if (IsDigit(c))
        {
            value = c - '0';
            i++;
            if (i < n && IsDigit(text[i]))
            {
                value = (value * 10) + (text[i++] - '0');
            }

            return i >= n || !IsDigit(text[i]);
        }

        value = 0;
        // Three ASCII letters and no fourth. Pack alone would not do: it ORs each character shifted by 8, so a wider one
        // spills into its neighbour's bits (j\u6A61n packs like "jan"), and the full parser reads letters only.
        if (field < 4 || i + 3 > n || !IsLetter(text[i]) || !IsLetter(text[i + 1]) || !IsLetter(text[i + 2]) || (i + 3 < n && IsLetter(text[i + 3])))
        {
            return false;
        }

        var name = text.Slice(i, 3);
        i += 3;
        if (field == 4)
        {
            value = MonthName(name);
            return value > 0;
        }

        value = WeekdayName(name);
        if (value < 0)
        {
            return false;
        }

        value += quartz ? 1 : 0;
        return true;
    }

    private static CronParseError ParseCore(ReadOnlySpan<char> text, CronFormat format, ReadOnlySpan<char> seed, ref CronFieldsBuilder b)
    {
        var start = 0;
        var end = text.Length;
        while (start < end && IsBlank(text[start]))
        {
            start++;
        }

        while (end > start && IsBlank(text[end - 1]))
        {
            end--;
        }

        if (start == end)
        {
            return new CronParseError(CronParseErrorCode.Empty, CronField.Minute, 0, 0);
        }

        b.Flags = FormatFlags(format);

        if (text[start] == '@')
        {
            return ParseMacro(text, start, end, ref b);
        }

        // Quartz.NET's dialect: seconds always, the year optional (counted below), day-of-week 1-7 from Sunday.
        var quartz = (format & CronFormat.Quartz) != 0;
        var hasSeconds = quartz || (format & CronFormat.IncludeSeconds) != 0;
        var hasYear = quartz || (format & CronFormat.IncludeYear) != 0;
        var expected = 5 + (hasSeconds ? 1 : 0) + (hasYear ? 1 : 0);

        // Count the fields first, so that a wrong count is reported as such rather than as a fault inside a field.
        var count = 0;
        var extraStart = -1;
        for (var i = start; i < end;)
        {
            if (count == expected)
            {
                extraStart = i;
            }

            count++;
            while (i < end && !IsBlank(text[i]))
            {
                i++;
            }

            while (i < end && IsBlank(text[i]))
            {
                i++;
            }
        }

        if (quartz && count == 6)
        {
            hasYear = false;
            b.Flags &= ~CronFlags.FormatYear;
        }
        else if (count != expected)
        {
            return new CronParseError(CronParseErrorCode.FieldCount, CronField.Minute, count > expected ? extraStart : end, 0, count);
        }

        var c = new Cursor(text, start, end, quartz);
        var interval = false;
        var hash = HashSeed(seed);
        CronParseError error;
        ulong bits;

        if (hasSeconds)
        {
            if (!ParseField(ref c, CronField.Second, hash, ref b, out bits, ref interval, out error))
            {
                return error;
            }

            b.Seconds = bits;
        }
        else
        {
            b.Seconds = 1; // second 0
        }

        if (!ParseField(ref c, CronField.Minute, hash, ref b, out bits, ref interval, out error))
        {
            return error;
        }

        b.Minutes = bits;

        if (!ParseField(ref c, CronField.Hour, hash, ref b, out bits, ref interval, out error))
        {
            return error;
        }

        b.Hours = (uint)bits;

        // In Quartz.NET only a lone * or ? leaves a day field unrestricted; */2 restricts it.
        var domStar = quartz ? c.IsLoneStar() : c.StartsWithStar();
        if (!ParseField(ref c, CronField.DayOfMonth, hash, ref b, out bits, ref interval, out error))
        {
            return error;
        }

        b.DaysOfMonth = (uint)bits;

        if (!ParseField(ref c, CronField.Month, hash, ref b, out bits, ref interval, out error))
        {
            return error;
        }

        b.Months = (ushort)bits;

        var dowStar = quartz ? c.IsLoneStar() : c.StartsWithStar();
        if (!ParseField(ref c, quartz ? CronField.QuartzDayOfWeek : CronField.DayOfWeek, hash, ref b, out bits, ref interval, out error))
        {
            return error;
        }

        // 7 is Sunday, like 0; in Quartz's numbering 1 is Sunday and 7 Saturday.
        b.DaysOfWeek = quartz
            ? (byte)((bits >> 1) & CronConstants.AllWeekdays)
            : (byte)((bits | (bits >> 7)) & CronConstants.AllWeekdays);

        if (hasYear)
        {
            if (!ParseField(ref c, CronField.Year, hash, ref b, out _, ref interval, out error))
            {
                return error;
            }
        }
        else
        {
            b.Flags |= CronFlags.AnyYear;
        }

        if ((b.Flags & CronFlags.AnyYear) != 0)
        {
            // Every year: the year bits say nothing more, so clear them and let equal meanings compare equal.
            b.Years0 = b.Years1 = 0;
            b.Flags &= ~(CronFlags.Year2098 | CronFlags.Year2099);
        }

        if (!interval)
        {
            b.Flags |= CronFlags.FixedTime;
        }

        FinishDays(ref b, domStar, dowStar, (format & CronFormat.IntersectDays) != 0);
        return default;
    }

    private static CronFlags FormatFlags(CronFormat format)
    {
        var flags = CronFlags.None;
        if ((format & CronFormat.IncludeSeconds) != 0)
        {
            flags |= CronFlags.FormatSeconds;
        }

        if ((format & CronFormat.IncludeYear) != 0)
        {
            flags |= CronFlags.FormatYear;
        }

        if ((format & CronFormat.IntersectDays) != 0)
        {
            flags |= CronFlags.FormatIntersect;
        }

        if ((format & CronFormat.Quartz) != 0)
        {
            flags |= CronFlags.FormatQuartz | CronFlags.FormatSeconds | CronFlags.FormatYear;
        }

        return flags;
    }

    /// <summary>Settles how the two day fields combine and notes what is known never to fire.</summary>
    private static void FinishDays(ref CronFieldsBuilder b, bool domStar, bool dowStar, bool intersect)
    {
        if (domStar)
        {
            b.Flags |= CronFlags.DayOfMonthStar;
        }

        if (dowStar)
        {
            b.Flags |= CronFlags.DayOfWeekStar;
        }

        if (b.LastDayOffsets != 0 || b.LastDayOffsetsWeekday != 0 || b.NearestWeekdays != 0)
        {
            b.Flags |= CronFlags.DayOfMonthSpecials;
        }

        if (b.LastWeekdays != 0 || b.NthWeekdays != 0)
        {
            b.Flags |= CronFlags.DayOfWeekSpecials;
        }

        if (!domStar && !dowStar && !intersect)
        {
            // Vixie rule: either field may match. Either field matching every day makes every day match.
            if (b.DaysOfMonth == CronConstants.AllDays || b.DaysOfWeek == CronConstants.AllWeekdays)
            {
                b.DaysOfMonth = CronConstants.AllDays;
                b.DaysOfWeek = CronConstants.AllWeekdays;
                b.LastDayOffsets = b.LastDayOffsetsWeekday = b.NearestWeekdays = 0;
                b.LastWeekdays = 0;
                b.NthWeekdays = 0;
                b.Flags &= ~(CronFlags.DayOfMonthSpecials | CronFlags.DayOfWeekSpecials | CronFlags.NearestWeekdayClamps);
                b.Flags |= CronFlags.DayOfMonthStar | CronFlags.DayOfWeekStar;
            }
            else
            {
                b.Flags |= CronFlags.DayOr;
            }
        }

        // A common impossible case, cheap to see now: plain days that no allowed month has (0 0 30 2 *).
        if ((b.Flags & (CronFlags.DayOr | CronFlags.DayOfMonthSpecials | CronFlags.DayOfWeekSpecials)) == 0
            && b.DaysOfWeek == CronConstants.AllWeekdays
            && b.Months != CronConstants.AllMonths)
        {
            var longest = (b.Months & LongMonths) != 0 ? 31 : (b.Months & ~(1 << 2) & 0x1FFE) != 0 ? 30 : 29;
            if (BitOperations.TrailingZeroCount(b.DaysOfMonth) > longest)
            {
                b.Flags |= CronFlags.NeverFires;
            }
        }

        // Another: both day fields must match, and the weekday specials only fall on days the plain days miss
        // (* * 1-21 * 0L with IntersectDays: a last Sunday is always after the 21st).
        if ((b.Flags & (CronFlags.DayOr | CronFlags.DayOfMonthSpecials)) == 0 && b.DaysOfWeek == 0)
        {
            uint possible = 0;
            if (b.LastWeekdays != 0)
            {
                possible |= 0xFFC0_0000U; // days 22-31
            }

            for (var k = 0; k < 5; k++)
            {
                if ((b.NthWeekdays >> (7 * k) & 0x7F) != 0)
                {
                    possible |= 0x7FU << ((7 * k) + 1); // days 7k+1 to 7k+7
                }
            }

            if ((b.DaysOfMonth & possible) == 0)
            {
                b.Flags |= CronFlags.NeverFires;
            }
        }
    }

    private const int LongMonths = (1 << 1) | (1 << 3) | (1 << 5) | (1 << 7) | (1 << 8) | (1 << 10) | (1 << 12);

    private static bool ParseField(ref Cursor c, CronField field, uint hash, ref CronFieldsBuilder b, out ulong bits, ref bool interval, out CronParseError error)
    {
        bits = 0;
        var fieldStart = c.Pos;
        var timeField = field <= CronField.Hour;

        // Fast paths for the commonest fields: a lone * and a lone number.
        var first = c.Peek();
        if (first == '*' && c.IsBlankAt(c.Pos + 1))
        {
            c.Pos++;
            c.SkipBlanks();
            if (field == CronField.Year)
            {
                b.Flags |= CronFlags.AnyYear;
            }
            else
            {
                bits = FullMask(field);
            }

            interval |= timeField;
            error = default;
            return true;
        }

        if (first == '*' && c.CharAt(c.Pos + 1) == '/' && IsDigit(c.CharAt(c.Pos + 2)) && field != CronField.Year)
        {
            var step = c.CharAt(c.Pos + 2) - '0';
            var end = c.Pos + 3;
            if (IsDigit(c.CharAt(end)))
            {
                step = (step * 10) + (c.CharAt(end) - '0');
                end++;
            }

            if (c.IsBlankAt(end) && step >= 1 && step <= CronFieldInfo.Max(field))
            {
                c.Pos = end;
                c.SkipBlanks();
                bits = (StepMasks[step] << CronFieldInfo.Min(field)) & FullMask(field);

                interval |= timeField;
                error = default;
                return true;
            }
        }

        if (IsDigit(first) && field != CronField.Year)
        {
            var value = first - '0';
            var end = c.Pos + 1;
            if (IsDigit(c.CharAt(end)))
            {
                value = (value * 10) + (c.CharAt(end) - '0');
                end++;
            }

            if (c.IsBlankAt(end) && value >= CronFieldInfo.Min(field) && value <= CronFieldInfo.Max(field))
            {
                c.Pos = end;
                c.SkipBlanks();
                bits = 1UL << value;
                error = default;
                return true;
            }
        }

        while (true)
        {
            if (c.AtFieldEnd || c.Peek() == ',')
            {
                error = new CronParseError(CronParseErrorCode.EmptyItem, field, c.Pos, 0);
                return false;
            }

            if (!ParseItem(ref c, field, hash, ref b, ref bits, out error))
            {
                return false;
            }

            if (c.AtFieldEnd)
            {
                break;
            }

            if (c.Peek() != ',')
            {
                error = new CronParseError(CronParseErrorCode.UnexpectedCharacter, field, c.Pos, 1);
                return false;
            }

            c.Pos++;
        }

        if (timeField && !interval)
        {
            // Fixed-time is decided by the text (the README, "Time zones and daylight saving" and "The cron dialect"): any of * ? - / in second, minute or hour.
            for (var i = fieldStart; i < c.Pos; i++)
            {
                if (c.Text[i] is '*' or '?' or '-' or '/')
                {
                    interval = true;
                    break;
                }
            }
        }

        c.SkipBlanks();
        error = default;
        return true;
    }

    private static bool ParseItem(ref Cursor c, CronField field, uint hash, ref CronFieldsBuilder b, ref ulong bits, out CronParseError error)
    {
        var min = CronFieldInfo.Min(field);
        var max = CronFieldInfo.Max(field);
        int lo, hi;
        var ch = c.Peek();

        if (ch == '*' || ch == '?')
        {
            if (ch == '?' && field is not (CronField.DayOfMonth or CronField.DayOfWeek or CronField.QuartzDayOfWeek))
            {
                error = new CronParseError(CronParseErrorCode.QuestionNotAllowed, field, c.Pos, 1);
                return false;
            }

            c.Pos++;
            lo = min;
            hi = max;
            if (field == CronField.Year && c.Peek() != '/')
            {
                b.Flags |= CronFlags.AnyYear; // * means every year, with no end, even inside a list
            }

            if (c.Peek() == '/')
            {
                if (!ParseStep(ref c, field, out var anyStep, out error))
                {
                    return false;
                }

                return SetRange(field, lo, hi, anyStep, ref b, ref bits, out error);
            }

            return SetRange(field, lo, hi, 1, ref b, ref bits, out error);
        }

        if ((ch | 0x20) == 'h' && !IsLetter(c.PeekAt(1)))
        {
            if (c.Quartz)
            {
                error = new CronParseError(CronParseErrorCode.HashNotAllowed, field, c.Pos, 1);
                return false;
            }

            return ParseHash(ref c, field, hash, ref b, ref bits, out error);
        }

        if (field == CronField.DayOfMonth && (ch | 0x20) == 'l')
        {
            return ParseLast(ref c, ref b, out error);
        }

        if (field == CronField.DayOfWeek && (ch | 0x20) == 'l' && !IsLetter(c.PeekAt(1)))
        {
            error = new CronParseError(CronParseErrorCode.LastNeedsWeekday, field, c.Pos, 1);
            return false;
        }

        if (field == CronField.QuartzDayOfWeek && (ch | 0x20) == 'l' && !IsLetter(c.PeekAt(1)))
        {
            // Quartz.NET: L alone in day-of-week is the last day of the week, Saturday (7).
            c.Pos++;
            bits |= 1UL << 7;
            return NoRangeOrStep(ref c, field, out error);
        }

        var valueStart = c.Pos;
        if (!ParseValue(ref c, field, out lo, out error))
        {
            return false;
        }

        if (lo < min || lo > max)
        {
            error = new CronParseError(CronParseErrorCode.OutOfRange, field, valueStart, c.Pos - valueStart);
            return false;
        }

        var next = c.Peek();
        if (field == CronField.DayOfMonth && (next | 0x20) == 'w')
        {
            c.Pos++;
            b.NearestWeekdays |= 1U << lo;
            if (c.Quartz && lo > 28)
            {
                b.Flags |= CronFlags.NearestWeekdayClamps; // Quartz: 31W in April is the weekday nearest the 30th
            }

            return NoRangeOrStep(ref c, field, out error);
        }

        if (field is CronField.DayOfWeek or CronField.QuartzDayOfWeek)
        {
            var weekday = field == CronField.QuartzDayOfWeek ? lo - 1 : lo % 7;
            if ((next | 0x20) == 'l')
            {
                c.Pos++;
                b.LastWeekdays |= (byte)(1 << weekday);
                return NoRangeOrStep(ref c, field, out error);
            }

            if (next == '#')
            {
                c.Pos++;
                var kStart = c.Pos;
                if (!ParseNumber(ref c, field, out var k, out error))
                {
                    return false;
                }

                if (k < 1 || k > 5)
                {
                    error = new CronParseError(CronParseErrorCode.NthOutOfRange, field, kStart, c.Pos - kStart);
                    return false;
                }

                b.NthWeekdays |= 1UL << ((7 * (k - 1)) + weekday);
                return NoRangeOrStep(ref c, field, out error);
            }
        }

        hi = lo;
        var step = 1;
        if (next == '-')
        {
            c.Pos++;
            var hiStart = c.Pos;
            if (!ParseValue(ref c, field, out hi, out error))
            {
                return false;
            }

            if (hi < min || hi > max)
            {
                error = new CronParseError(CronParseErrorCode.OutOfRange, field, hiStart, c.Pos - hiStart);
                return false;
            }

            if (c.Peek() == '/' && !ParseStep(ref c, field, out step, out error))
            {
                return false;
            }
        }
        else if (next == '/')
        {
            // a/n runs from a to the field's maximum.
            if (!ParseStep(ref c, field, out step, out error))
            {
                return false;
            }

            hi = max;
        }

        return SetRange(field, lo, hi, step, ref b, ref bits, out error);
    }

    /// <summary>Reads <c>L</c>, <c>L-n</c>, <c>LW</c> or <c>L-nW</c> in day-of-month.</summary>
    private static bool ParseLast(ref Cursor c, ref CronFieldsBuilder b, out CronParseError error)
    {
        c.Pos++;
        var offset = 0;
        if (c.Peek() == '-')
        {
            c.Pos++;
            var nStart = c.Pos;
            if (!ParseNumber(ref c, CronField.DayOfMonth, out offset, out error))
            {
                return false;
            }

            if (offset > 30)
            {
                error = new CronParseError(CronParseErrorCode.LastOffsetOutOfRange, CronField.DayOfMonth, nStart, c.Pos - nStart);
                return false;
            }
        }

        if ((c.Peek() | 0x20) == 'w')
        {
            c.Pos++;
            b.LastDayOffsetsWeekday |= 1U << offset;
        }
        else
        {
            b.LastDayOffsets |= 1U << offset;
        }

        return NoRangeOrStep(ref c, CronField.DayOfMonth, out error);
    }

    /// <summary>Reads <c>H</c>, <c>H(a-b)</c>, <c>H/n</c> or <c>H(a-b)/n</c>: a value spread by the hash of the seed.</summary>
    private static bool ParseHash(ref Cursor c, CronField field, uint hash, ref CronFieldsBuilder b, ref ulong bits, out CronParseError error)
    {
        if (field == CronField.Year)
        {
            error = new CronParseError(CronParseErrorCode.HashNotAllowed, field, c.Pos, 1);
            return false;
        }

        c.Pos++;

        // Day-of-month spreads over 1-28 so that the day exists in every month; day-of-week over 0-6.
        var lo = CronFieldInfo.Min(field);
        var hi = field switch
        {
            CronField.DayOfMonth => 28,
            CronField.DayOfWeek => 6,
            _ => CronFieldInfo.Max(field),
        };

        if (c.Peek() == '(')
        {
            c.Pos++;
            var loStart = c.Pos;
            if (!ParseNumber(ref c, field, out lo, out error))
            {
                return false;
            }

            var loEnd = c.Pos;

            if (c.Peek() != '-')
            {
                error = new CronParseError(CronParseErrorCode.HashRangeMalformed, field, c.Pos, 1);
                return false;
            }

            c.Pos++;
            var hiStart = c.Pos;
            if (!ParseNumber(ref c, field, out hi, out error))
            {
                return false;
            }

            var hiEnd = c.Pos;
            if (c.Peek() != ')')
            {
                error = new CronParseError(CronParseErrorCode.HashRangeMalformed, field, c.Pos, 1);
                return false;
            }

            c.Pos++;
            var min = CronFieldInfo.Min(field);
            var max = CronFieldInfo.Max(field);
            if (lo < min || lo > max)
            {
                error = new CronParseError(CronParseErrorCode.OutOfRange, field, loStart, loEnd - loStart);
                return false;
            }

            if (hi < lo || hi > max)
            {
                error = new CronParseError(CronParseErrorCode.OutOfRange, field, hiStart, hiEnd - hiStart);
                return false;
            }
        }

        var h = FieldHash(hash, field);
        if (c.Peek() == '/')
        {
            if (!ParseStep(ref c, field, out var step, out error))
            {
                return false;
            }

            var span = Math.Min(step, hi - lo + 1);
            return SetRange(field, lo + (int)(h % (uint)span), hi, step, ref b, ref bits, out error);
        }

        var value = lo + (int)(h % (uint)(hi - lo + 1));
        return SetRange(field, value, value, 1, ref b, ref bits, out error);
    }

    private static bool NoRangeOrStep(ref Cursor c, CronField field, out CronParseError error)
    {
        var next = c.Peek();
        if (next == '-' || next == '/')
        {
            error = new CronParseError(CronParseErrorCode.SpecialTakesNoRangeOrStep, field, c.Pos, 1);
            return false;
        }

        error = default;
        return true;
    }

    private static bool ParseStep(ref Cursor c, CronField field, out int step, out CronParseError error)
    {
        c.Pos++; // '/'
        var stepStart = c.Pos;
        if (!ParseNumber(ref c, field, out step, out error))
        {
            return false;
        }

        if (step < 1 || step > CronFieldInfo.Max(field))
        {
            error = new CronParseError(CronParseErrorCode.StepOutOfRange, field, stepStart, c.Pos - stepStart);
            return false;
        }

        return true;
    }

    /// <summary>Reads a number, or a name where the field has names.</summary>
    private static bool ParseValue(ref Cursor c, CronField field, out int value, out CronParseError error)
    {
        var ch = c.Peek();
        if (IsDigit(ch))
        {
            return ParseNumber(ref c, field, out value, out error);
        }

        value = 0;
        if (!IsLetter(ch))
        {
            error = MissingOrUnexpected(ref c, field);
            return false;
        }

        var nameStart = c.Pos;
        while (IsLetter(c.Peek()))
        {
            c.Pos++;
        }

        var run = c.Text[nameStart..c.Pos];

        // FRIL: a weekday name followed by L. Give the L back to the caller.
        if (field is CronField.DayOfWeek or CronField.QuartzDayOfWeek && run.Length == 4 && (run[3] | 0x20) == 'l')
        {
            run = run[..3];
            c.Pos--;
        }

        if (run.Length == 3)
        {
            var month = MonthName(run);
            var weekday = WeekdayName(run);
            if (field == CronField.Month && month > 0)
            {
                value = month;
                error = default;
                return true;
            }

            if (field is CronField.DayOfWeek or CronField.QuartzDayOfWeek && weekday >= 0)
            {
                value = field == CronField.QuartzDayOfWeek ? weekday + 1 : weekday;
                error = default;
                return true;
            }

            if (month > 0 || weekday >= 0)
            {
                error = new CronParseError(CronParseErrorCode.NameInWrongField, field, nameStart, run.Length);
                return false;
            }
        }

        error = field is CronField.Month or CronField.DayOfWeek or CronField.QuartzDayOfWeek
            ? new CronParseError(CronParseErrorCode.UnknownName, field, nameStart, c.Pos - nameStart)
            : new CronParseError(CronParseErrorCode.UnexpectedCharacter, field, nameStart, 1);
        return false;
    }

    private static bool ParseNumber(ref Cursor c, CronField field, out int value, out CronParseError error)
    {
        var start = c.Pos;
        value = 0;
        while (IsDigit(c.Peek()))
        {
            // Saturate instead of overflowing: a huge number is still reported as out of range.
            value = value > 100_000 ? value : (value * 10) + (c.Peek() - '0');
            c.Pos++;
        }

        if (c.Pos == start)
        {
            error = MissingOrUnexpected(ref c, field);
            return false;
        }

        error = default;
        return true;
    }

    private static CronParseError MissingOrUnexpected(ref Cursor c, CronField field)
    {
        var ch = c.Peek();
        return c.AtFieldEnd || ch == ',' || ch == '-' || ch == '/'
            ? new CronParseError(CronParseErrorCode.MissingValue, field, c.Pos, 0)
            : new CronParseError(CronParseErrorCode.UnexpectedCharacter, field, c.Pos, 1);
    }

    private static bool SetRange(CronField field, int lo, int hi, int step, ref CronFieldsBuilder b, ref ulong bits, out CronParseError error)
    {
        error = default;
        if (field == CronField.Year)
        {
            SetYears(ref b, lo, hi, step);
            return true;
        }

        if (lo <= hi)
        {
            // Bits lo..hi (hi is at most 59, so no shift reaches 64), every step-th from lo.
            bits |= (StepMasks[step] << lo) & ((2UL << hi) - 1);
            return true;
        }

        // A reversed range wraps round the field's cycle, and its step keeps counting across the wrap.
        var min = CronFieldInfo.Min(field);
        var cycle = CronFieldInfo.Cycle(field);
        for (var v = lo; v <= hi + cycle; v += step)
        {
            bits |= 1UL << (((v - min) % cycle) + min);
        }

        return true;
    }

    /// <summary>For each step n (1-63), the bits 0, n, 2n, ... below 64 (constant data in the assembly: no static to initialise).</summary>
    private static ReadOnlySpan<ulong> StepMasks =>
    [
        0x0000000000000000, 0xFFFFFFFFFFFFFFFF, 0x5555555555555555, 0x9249249249249249,
        0x1111111111111111, 0x1084210842108421, 0x1041041041041041, 0x8102040810204081,
        0x0101010101010101, 0x8040201008040201, 0x1004010040100401, 0x0080100200400801,
        0x1001001001001001, 0x0010008004002001, 0x0100040010004001, 0x1000200040008001,
        0x0001000100010001, 0x0008000400020001, 0x0040001000040001, 0x0200004000080001,
        0x1000010000100001, 0x8000040000200001, 0x0000100000400001, 0x0000400000800001,
        0x0001000001000001, 0x0004000002000001, 0x0010000004000001, 0x0040000008000001,
        0x0100000010000001, 0x0400000020000001, 0x1000000040000001, 0x4000000080000001,
        0x0000000100000001, 0x0000000200000001, 0x0000000400000001, 0x0000000800000001,
        0x0000001000000001, 0x0000002000000001, 0x0000004000000001, 0x0000008000000001,
        0x0000010000000001, 0x0000020000000001, 0x0000040000000001, 0x0000080000000001,
        0x0000100000000001, 0x0000200000000001, 0x0000400000000001, 0x0000800000000001,
        0x0001000000000001, 0x0002000000000001, 0x0004000000000001, 0x0008000000000001,
        0x0010000000000001, 0x0020000000000001, 0x0040000000000001, 0x0080000000000001,
        0x0100000000000001, 0x0200000000000001, 0x0400000000000001, 0x0800000000000001,
        0x1000000000000001, 0x2000000000000001, 0x4000000000000001, 0x8000000000000001,
    ];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong FullMask(CronField field) => field switch
    {
        CronField.Second or CronField.Minute => CronConstants.AllSeconds,
        CronField.Hour => CronConstants.AllHours,
        CronField.DayOfMonth => CronConstants.AllDays,
        CronField.Month => CronConstants.AllMonths,
        CronField.QuartzDayOfWeek => CronConstants.AllWeekdays << 1,
        _ => CronConstants.AllWeekdays,
    };

    private static void SetYears(ref CronFieldsBuilder b, int lo, int hi, int step)
    {
        const int Cycle = CronConstants.MaxYear - CronConstants.MinYear + 1;
        var end = lo <= hi ? hi : hi + Cycle;
        for (var v = lo; v <= end; v += step)
        {
            var i = (v - CronConstants.MinYear) % Cycle;
            switch (i)
            {
                case < 64: b.Years0 |= 1UL << i; break;
                case < 128: b.Years1 |= 1UL << (i - 64); break;
                case 128: b.Flags |= CronFlags.Year2098; break;
                default: b.Flags |= CronFlags.Year2099; break;
            }
        }
    }

    private static CronParseError ParseMacro(ReadOnlySpan<char> text, int start, int end, ref CronFieldsBuilder b)
    {
        var nameEnd = start + 1;
        while (nameEnd < end && !IsBlank(text[nameEnd]))
        {
            nameEnd++;
        }

        if (nameEnd != end)
        {
            var extra = nameEnd;
            while (IsBlank(text[extra]))
            {
                extra++;
            }

            return new CronParseError(CronParseErrorCode.TextAfterMacro, CronField.Minute, extra, end - extra);
        }

        var name = text[(start + 1)..end];
        const ulong Zero = 1;
        b.Flags |= CronFlags.AnyYear | CronFlags.DayOfMonthStar | CronFlags.DayOfWeekStar;
        b.Seconds = Zero;
        b.Minutes = Zero;
        b.Hours = 1;
        b.DaysOfMonth = CronConstants.AllDays;
        b.Months = CronConstants.AllMonths;
        b.DaysOfWeek = CronConstants.AllWeekdays;
        var fixedTime = true;

        if (name.Equals("yearly", StringComparison.OrdinalIgnoreCase) || name.Equals("annually", StringComparison.OrdinalIgnoreCase))
        {
            b.DaysOfMonth = 1U << 1;
            b.Months = 1 << 1;
            b.Flags &= ~CronFlags.DayOfMonthStar;
        }
        else if (name.Equals("monthly", StringComparison.OrdinalIgnoreCase))
        {
            b.DaysOfMonth = 1U << 1;
            b.Flags &= ~CronFlags.DayOfMonthStar;
        }
        else if (name.Equals("weekly", StringComparison.OrdinalIgnoreCase))
        {
            b.DaysOfWeek = 1;
            b.Flags &= ~CronFlags.DayOfWeekStar;
        }
        else if (name.Equals("daily", StringComparison.OrdinalIgnoreCase) || name.Equals("midnight", StringComparison.OrdinalIgnoreCase))
        {
        }
        else if (name.Equals("hourly", StringComparison.OrdinalIgnoreCase))
        {
            b.Hours = CronConstants.AllHours;
            fixedTime = false;
        }
        else if (name.Equals("every_minute", StringComparison.OrdinalIgnoreCase))
        {
            b.Minutes = CronConstants.AllMinutes;
            b.Hours = CronConstants.AllHours;
            fixedTime = false;
        }
        else if (name.Equals("every_second", StringComparison.OrdinalIgnoreCase))
        {
            b.Seconds = CronConstants.AllSeconds;
            b.Minutes = CronConstants.AllMinutes;
            b.Hours = CronConstants.AllHours;
            fixedTime = false;
        }
        else if (name.Equals("reboot", StringComparison.OrdinalIgnoreCase))
        {
            return new CronParseError(CronParseErrorCode.RebootIsNotCron, CronField.Minute, start, end - start);
        }
        else
        {
            return new CronParseError(CronParseErrorCode.UnknownMacro, CronField.Minute, start, end - start);
        }

        if (fixedTime)
        {
            b.Flags |= CronFlags.FixedTime;
        }

        return default;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int MonthName(ReadOnlySpan<char> s) => Pack(s) switch
    {
        ('j' << 16) | ('a' << 8) | 'n' => 1,
        ('f' << 16) | ('e' << 8) | 'b' => 2,
        ('m' << 16) | ('a' << 8) | 'r' => 3,
        ('a' << 16) | ('p' << 8) | 'r' => 4,
        ('m' << 16) | ('a' << 8) | 'y' => 5,
        ('j' << 16) | ('u' << 8) | 'n' => 6,
        ('j' << 16) | ('u' << 8) | 'l' => 7,
        ('a' << 16) | ('u' << 8) | 'g' => 8,
        ('s' << 16) | ('e' << 8) | 'p' => 9,
        ('o' << 16) | ('c' << 8) | 't' => 10,
        ('n' << 16) | ('o' << 8) | 'v' => 11,
        ('d' << 16) | ('e' << 8) | 'c' => 12,
        _ => 0,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WeekdayName(ReadOnlySpan<char> s) => Pack(s) switch
    {
        ('s' << 16) | ('u' << 8) | 'n' => 0,
        ('m' << 16) | ('o' << 8) | 'n' => 1,
        ('t' << 16) | ('u' << 8) | 'e' => 2,
        ('w' << 16) | ('e' << 8) | 'd' => 3,
        ('t' << 16) | ('h' << 8) | 'u' => 4,
        ('f' << 16) | ('r' << 8) | 'i' => 5,
        ('s' << 16) | ('a' << 8) | 't' => 6,
        _ => -1,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Pack(ReadOnlySpan<char> s) => ((s[0] | 0x20) << 16) | ((s[1] | 0x20) << 8) | (s[2] | 0x20);

    /// <summary>FNV-1a over the seed's UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    private static uint HashSeed(ReadOnlySpan<char> seed)
    {
        var h = 2166136261U;
        foreach (var ch in seed)
        {
            h = (h ^ (byte)ch) * 16777619U;
            h = (h ^ (byte)(ch >> 8)) * 16777619U;
        }

        return h;
    }

    /// <summary>Mixes the field into the seed hash, so that <c>H H * * *</c> gets unrelated minute and hour.</summary>
    private static uint FieldHash(uint hash, CronField field)
    {
        var h = hash ^ ((uint)(field + 1) * 0x9E3779B9U);
        h ^= h >> 16;
        h *= 0x85EBCA6BU;
        h ^= h >> 13;
        h *= 0xC2B2AE35U;
        h ^= h >> 16;
        return h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool IsBlank(char c) => c == ' ' || c == '\t';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsDigit(char c) => (uint)(c - '0') <= 9;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsLetter(char c) => (uint)((c | 0x20) - 'a') <= 'z' - 'a';

    /// <summary>A read position over the expression; a field ends at a blank or at the end of the text.</summary>
    private ref struct Cursor
    {
        public readonly ReadOnlySpan<char> Text;
        public readonly int End;

        /// <summary>Reading Quartz.NET's dialect, which has no <c>H</c>.</summary>
        public readonly bool Quartz;
        public int Pos;

        public Cursor(ReadOnlySpan<char> text, int pos, int end, bool quartz)
        {
            Text = text;
            Pos = pos;
            End = end;
            Quartz = quartz;
        }

        public readonly bool AtFieldEnd
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => Pos >= End || IsBlank(Text[Pos]);
        }

        /// <summary>The current character, or a blank at the end of a field, so that callers need no bounds checks.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly char Peek() => Pos < End ? Text[Pos] : ' ';

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly char PeekAt(int offset) => Pos + offset < End ? Text[Pos + offset] : ' ';

        /// <summary>Whether position <paramref name="i"/> ends a field: a blank or the end of the text.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly bool IsBlankAt(int i) => i >= End || IsBlank(Text[i]);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly char CharAt(int i) => i < End ? Text[i] : ' ';

        public readonly bool StartsWithStar() => Pos < End && (Text[Pos] == '*' || Text[Pos] == '?');

        /// <summary>Whether the field is a lone <c>*</c> or <c>?</c>.</summary>
        public readonly bool IsLoneStar() => StartsWithStar() && IsBlankAt(Pos + 1);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void SkipBlanks()
        {
            while (Pos < End && IsBlank(Text[Pos]))
            {
                Pos++;
            }
        }
    }
}
