using System.Text;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// The parser reads the common grammar (*, ?, */n, numbers, names, ranges, steps, lists) in a lean pass and leaves
/// everything else to the full parser. The lean pass must never accept what the full parser rejects, and what it
/// accepts it must read exactly as the full parser does, every field and flag included (the canonical text and
/// equality read them). These tests hold it to the full parser on random expressions of the lean pass's shapes,
/// with edge values and near misses, in every format, and hold the public entry points to the full parser too.
/// </summary>
public class CronParserLeanPassTests
{
    /// <summary>The formats, the lean pass's own more often than those with a year field (which it leaves alone).</summary>
    private static readonly CronFormat[] s_formats =
    [
        CronFormat.Standard, CronFormat.Standard, CronFormat.IncludeSeconds, CronFormat.IncludeSeconds, CronFormat.IntersectDays,
        CronFormat.IncludeSeconds | CronFormat.IntersectDays, CronFormat.IncludeYear, CronFormat.IncludeSeconds | CronFormat.IncludeYear,
        CronFormat.Quartz, CronFormat.Quartz, CronFormat.Quartz | CronFormat.IntersectDays,
    ];

    private static readonly string[] s_months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] s_weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    private static readonly string[] s_nearMissNames = ["JA", "JANU", "MONDAY", "MO", "XYZ", "SUNL", "FRIL", "JANX", "L", "W", "H"];
    private static readonly string[] s_specials = ["L", "5L", "L-3", "L-31", "15W", "LW", "L-2W", "3#2", "3#6", "H", "H/5", "H(1-5)", "H(5-1)", "FRIL", "6L", "0L", "7#1", "1W", "31W"];
    private static readonly string[] s_blanks = [" ", " ", " ", " ", "  ", "\t", " \t ", "   "];
    private static readonly string[] s_oddSeparators = ["", "\n", "\r", "\u00a0", ",", "/", "-", "\u2007"];
    private const string EditAlphabet = "0123456789*/-,?LWH# \tJANMONjanmonx";

    [Theory]
    [InlineData(1, 40_000)]
    [InlineData(2, 40_000)]
    [InlineData(3, 40_000)]
    [InlineData(4, 40_000)]
    [InlineData(5, 40_000)]
    public void LeanPass_AgreesWithTheFullParser(int seed, int count)
    {
        var random = new Random(seed);
        int lean = 0, fullOnly = 0, rejected = 0;
        for (var k = 0; k < count; k++)
        {
            var format = s_formats[random.Next(s_formats.Length)];
            var text = Expression(random, format);

            var fullError = CronParser.ParseFull(text, format, default, out var full);
            var fullOk = fullError.Code == CronParseErrorCode.None;
            if (CronParser.TryParseLeanOnly(text, format, out var leanResult))
            {
                lean++;
                Assert.True(fullOk, $"the lean pass accepted \"{Escape(text)}\" ({format}), which the full parser rejects: {fullError.Code} at {fullError.Position}");
                Assert.Equal(Fields(full), Fields(leanResult));
            }
            else
            {
                Assert.Equal(default, leanResult);
                if (fullOk)
                {
                    fullOnly++;
                }
                else
                {
                    rejected++;
                }
            }

            AssertEntryPointsAgree(text, format, fullError, full);
        }

        // The generator must reach all three outcomes, or the agreement above proves little.
        Assert.True(lean > count / 5, $"the lean pass accepted only {lean} of {count} (the full parser {fullOnly} more, {rejected} invalid)");
        Assert.True(fullOnly > count / 20, $"only {fullOnly} of {count} were left to the full parser and accepted by it");
        Assert.True(rejected > count / 10, $"only {rejected} of {count} were invalid");
    }

    /// <summary>Edge values of the simple shapes the lean pass reads inline, each against the full parser.</summary>
    [Theory]
    [InlineData("*/5 * * * *", CronFormat.Standard)]
    [InlineData("0 0 12 * * MON-FRI", CronFormat.IncludeSeconds)]
    [InlineData("0 0/5 14,18 ? * MON-FRI", CronFormat.Quartz)]
    [InlineData("0 */5 * * * ?", CronFormat.Quartz)]
    [InlineData("*/59 */23 */31 */12 */7", CronFormat.Standard)]
    [InlineData("*/60 * * * *", CronFormat.Standard)]
    [InlineData("*/0 * * * *", CronFormat.Standard)]
    [InlineData("*/00 * * * *", CronFormat.Standard)]
    [InlineData("*/01 * * * *", CronFormat.Standard)]
    [InlineData("*/100 * * * *", CronFormat.Standard)]
    [InlineData("*/ * * * *", CronFormat.Standard)]
    [InlineData("*/5", CronFormat.Standard)]
    [InlineData("*/5 * * * * *", CronFormat.Standard)]
    [InlineData("* * * * *\t", CronFormat.Standard)]
    [InlineData("\t * * * * * ", CronFormat.Standard)]
    [InlineData("* * * * * ", CronFormat.IncludeSeconds)]
    [InlineData("59 23 31 12 7", CronFormat.Standard)]
    [InlineData("60 * * * *", CronFormat.Standard)]
    [InlineData("0 24 * * *", CronFormat.Standard)]
    [InlineData("0 0 0 * *", CronFormat.Standard)]
    [InlineData("0 0 32 * *", CronFormat.Standard)]
    [InlineData("0 0 * 0 *", CronFormat.Standard)]
    [InlineData("0 0 * 13 *", CronFormat.Standard)]
    [InlineData("0 0 * * 8", CronFormat.Standard)]
    [InlineData("00 00 01 01 00", CronFormat.Standard)]
    [InlineData("000 * * * *", CronFormat.Standard)]
    [InlineData("5 * * * *", CronFormat.Standard)]
    [InlineData("5x * * * *", CronFormat.Standard)]
    [InlineData("? * * * *", CronFormat.Standard)]
    [InlineData("* * ? * ?", CronFormat.Standard)]
    [InlineData("* * */2 * */3", CronFormat.Standard)]
    [InlineData("* * */2 * */3", CronFormat.Quartz)]
    [InlineData("0 * * */2 * */3", CronFormat.Quartz)]
    [InlineData("0 * * 1 * 1", CronFormat.Quartz)]
    [InlineData("0 * * 1 * 0", CronFormat.Quartz)]
    [InlineData("0 * * 1 * 7", CronFormat.Quartz)]
    [InlineData("0 0 30 2 *", CronFormat.Standard)]
    [InlineData("0 0 31 4,6 *", CronFormat.Standard)]
    [InlineData("0 0 29 2 *", CronFormat.Standard)]
    [InlineData("0 0 1 * 1", CronFormat.Standard)]
    [InlineData("0 0 1 * 1", CronFormat.IntersectDays)]
    [InlineData("0 0 31 * 1", CronFormat.Standard)]
    [InlineData("0 0 * * *", CronFormat.IntersectDays)]
    [InlineData("0 0 1-31 * 1", CronFormat.Standard)]
    [InlineData("0 0 5 * 0-7", CronFormat.Standard)]
    [InlineData("0 0 5 * SUN-SAT", CronFormat.Standard)]
    [InlineData("0 0 12 * * mon-fri", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 * * MON-FRIL", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 * * FRI-MON", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 * JAN-DEC MON", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 * MON *", CronFormat.IncludeSeconds)]
    [InlineData("0 0 12 JAN * *", CronFormat.IncludeSeconds)]
    [InlineData("1,2,3 * * * *", CronFormat.Standard)]
    [InlineData("1,,3 * * * *", CronFormat.Standard)]
    [InlineData("1, * * * *", CronFormat.Standard)]
    [InlineData("1-5/2,30 * * * *", CronFormat.Standard)]
    [InlineData("5/15 * * * *", CronFormat.Standard)]
    [InlineData("* * * * * 2030", CronFormat.IncludeYear)]
    [InlineData("0 0 0 * * ? 2030", CronFormat.Quartz)]
    [InlineData("", CronFormat.Standard)]
    [InlineData("   ", CronFormat.Standard)]
    [InlineData("@daily", CronFormat.Standard)]
    [InlineData("0 0 1 j\u6A61n *", CronFormat.Standard)] // packs like "jan": (0x6A61 | 0x20) << 8 overlaps the first letter's bits
    [InlineData("0 0 1 * m\u6D6Fn", CronFormat.Standard)] // packs like "mon"
    [InlineData("0 0 1 j\u6A61n-MAR *", CronFormat.Standard)]
    [InlineData("0 0 1 * m\u6D6Fn-FRI", CronFormat.Standard)]
    [InlineData("0 0 1 JAN-j\u6A61n *", CronFormat.Standard)]
    [InlineData("0 0 1 1,j\u6A61n *", CronFormat.Standard)]
    [InlineData("0 0 1 * 1,m\u6D6Fn", CronFormat.Standard)]
    [InlineData("0 0 0 1 * m\u6D6Fn", CronFormat.Quartz)]
    public void LeanPass_AgreesWithTheFullParser_OnEdges(string text, CronFormat format)
    {
        var fullError = CronParser.ParseFull(text, format, default, out var full);
        if (CronParser.TryParseLeanOnly(text, format, out var lean))
        {
            Assert.Equal(CronParseErrorCode.None, fullError.Code);
            Assert.Equal(Fields(full), Fields(lean));
        }

        AssertEntryPointsAgree(text, format, fullError, full);
    }

    /// <summary>
    /// Every three-letter text, in every case, as a month and as a weekday, alone and in a range, reads as the full
    /// parser reads it: the lean pass finds names by a perfect hash, which must match the names and nothing else.
    /// </summary>
    [Theory]
    [InlineData(CronFormat.Standard)]
    [InlineData(CronFormat.Quartz)]
    public void LeanPass_ReadsNamesAsTheFullParser(CronFormat format)
    {
        var quartz = format == CronFormat.Quartz;
        var letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        var lean = 0;
        foreach (var a in letters)
        {
            foreach (var b in letters)
            {
                foreach (var c in letters)
                {
                    var name = $"{a}{b}{c}";
                    lean += Agree(quartz ? $"0 0 0 ? {name} *" : $"0 0 * {name} *", format);
                    lean += Agree(quartz ? $"0 0 0 ? * {name}" : $"0 0 * * {name}", format);
                    lean += Agree(quartz ? $"0 0 0 ? * {name}-SAT" : $"0 0 * * {name}-SAT", format);
                }
            }
        }

        // 12 months and 7 weekdays, each in 8 cases, and the weekdays again as the start of a range.
        Assert.Equal((12 + 7 + 7) * 8, lean);

        // Characters near the letters, and beyond ASCII.
        var random = new Random(7);
        var odd = "@[`{\u00c0\u00e0\u0131\u017f\u212a\u6a61\u6d6f\uff2a\0\t -,/*?#";
        for (var k = 0; k < 20_000; k++)
        {
            var chars = new char[3];
            for (var j = 0; j < 3; j++)
            {
                chars[j] = random.Next(3) == 0 ? odd[random.Next(odd.Length)] : "JANFEBMONSUNjanmon"[random.Next(18)];
            }

            var name = new string(chars);
            Agree($"0 0 * {name} *", format & ~CronFormat.Quartz);
            Agree($"0 0 * * {name}", format & ~CronFormat.Quartz);
        }

        static int Agree(string text, CronFormat format)
        {
            var fullError = CronParser.ParseFull(text, format, default, out var full);
            if (!CronParser.TryParseLeanOnly(text, format, out var leanResult))
            {
                return 0;
            }

            Assert.True(fullError.Code == CronParseErrorCode.None, $"the lean pass accepted \"{text}\", which the full parser rejects");
            Assert.Equal(Fields(full), Fields(leanResult));
            return 1;
        }
    }

    /// <summary>The shapes the lean pass exists for are read by it, not left to the full parser.</summary>
    [Theory]
    [InlineData("*/5 * * * *", CronFormat.Standard)]
    [InlineData("0 0 12 * * MON-FRI", CronFormat.IncludeSeconds)]
    [InlineData("0 0/5 14,18 ? * MON-FRI", CronFormat.Quartz)]
    [InlineData("0 9 1,15 JAN-JUN *", CronFormat.Standard)]
    [InlineData("*/15 9-17 * * 1-5", CronFormat.IntersectDays)]
    public void LeanPass_ReadsTheCommonShapes(string text, CronFormat format)
        => Assert.True(CronParser.TryParseLeanOnly(text, format, out _));

    /// <summary>Parse, TryParse and the reason-giving Parse give what the full parser gives, error and message included.</summary>
    private static void AssertEntryPointsAgree(string text, CronFormat format, CronParseError fullError, CronExpression full)
    {
        var fullOk = fullError.Code == CronParseErrorCode.None;
        Assert.Equal(fullOk, CronExpression.TryParse(text, format, out var tried));
        Assert.Equal(Fields(full), Fields(tried));

        var error = CronParser.Parse(text, format, default, out var parsed);
        Assert.Equal((fullError.Code, fullError.Field, fullError.Position, fullError.Length, fullError.Found), (error.Code, error.Field, error.Position, error.Length, error.Found));
        Assert.Equal(Fields(full), Fields(parsed));

        if (fullOk)
        {
            Assert.Equal(Fields(full), Fields(CronExpression.Parse(text, format)));
            Assert.Equal(Fields(full), Fields(CronExpression.Parse(text.AsSpan(), format)));
            Assert.Equal(full.ToString(), CronExpression.Parse(text, format).ToString());
        }
        else
        {
            var expected = ThrowHelper.CreateCronFormatException(text, format, fullError);
            var thrown = Assert.Throws<CronFormatException>(() => CronExpression.Parse(text, format));
            Assert.Equal(expected.Message, thrown.Message);
            Assert.Equal(expected.Position, thrown.Position);
        }
    }

    /// <summary>Every field and flag, presentation flags included.</summary>
    private static string Fields(in CronExpression e)
        => $"s={e.Seconds:X} m={e.Minutes:X} h={e.Hours:X} dom={e.DaysOfMonth:X} mon={e.Months:X} dow={e.DaysOfWeek:X} "
        + $"L={e.LastDayOffsets:X} LW={e.LastDayOffsetsWeekday:X} W={e.NearestWeekdays:X} nL={e.LastWeekdays:X} nth={e.NthWeekdays:X} "
        + $"y0={e.Years0:X} y1={e.Years1:X} flags={e.Flags}";

    private static string Expression(Random random, CronFormat format)
    {
        var quartz = (format & CronFormat.Quartz) != 0;
        var fields = new List<int>();
        if (quartz || (format & CronFormat.IncludeSeconds) != 0)
        {
            fields.Add(0);
        }

        fields.AddRange([1, 2, 3, 4, 5]);
        if ((format & CronFormat.IncludeYear) != 0 || (quartz && random.Next(4) == 0))
        {
            fields.Add(6);
        }

        // Sometimes a field too many or too few.
        switch (random.Next(20))
        {
            case 0:
                fields.RemoveAt(random.Next(fields.Count));
                break;
            case 1:
                fields.Insert(random.Next(fields.Count + 1), random.Next(6));
                break;
        }

        var text = new StringBuilder();
        if (random.Next(8) == 0)
        {
            text.Append(s_blanks[random.Next(s_blanks.Length)]);
        }

        // Most expressions are valid field by field; the rest have one field that may not be.
        var wild = random.Next(5) < 2 ? random.Next(fields.Count) : -1;
        for (var k = 0; k < fields.Count; k++)
        {
            if (k > 0)
            {
                text.Append(random.Next(60) == 0 ? s_oddSeparators[random.Next(s_oddSeparators.Length)] : s_blanks[random.Next(s_blanks.Length)]);
            }

            text.Append(Field(random, fields[k], quartz, wild: k == wild));
        }

        if (random.Next(8) == 0)
        {
            text.Append(s_blanks[random.Next(s_blanks.Length)]);
        }

        var result = text.ToString();
        return random.Next(20) == 0 ? Edit(result, random) : result;
    }

    private static string Field(Random random, int field, bool quartz, bool wild)
    {
        if (random.Next(4) != 0)
        {
            return wild ? WildItem(random, field, quartz) : Item(random, field, quartz);
        }

        // A list of two to four items, one of them wild in a wild field.
        var items = new List<string>();
        var count = random.Next(2, 5);
        var wildAt = wild ? random.Next(count) : -1;
        for (var k = 0; k < count; k++)
        {
            items.Add(k == wildAt ? WildItem(random, field, quartz) : Item(random, field, quartz));
        }

        return string.Join(wild && random.Next(10) == 0 ? ",," : ",", items);
    }

    private static (int Min, int Max) FieldRange(int field, bool quartz) => field switch
    {
        0 or 1 => (0, 59),
        2 => (0, 23),
        3 => (1, 31),
        4 => (1, 12),
        5 => quartz ? (1, 7) : (0, 7),
        _ => (1970, 2099),
    };

    /// <summary>A valid item of the common grammar (a reversed range included, which the lean pass leaves alone).</summary>
    private static string Item(Random random, int field, bool quartz)
    {
        var (min, max) = FieldRange(field, quartz);
        var dayField = field is 3 or 5;
        var named = field is 4 or 5;
        string Value() => named && random.Next(3) == 0 ? Name(random, field, valid: true) : InRange(random, min, max);
        string Open() => dayField && random.Next(3) == 0 ? "?" : "*";

        // A range, in order but now and then reversed (it wraps, which the lean pass leaves to the full parser).
        string OrderedRange()
        {
            var lo = random.Next(min, max + 1);
            var hi = random.Next(min, max + 1);
            if (lo > hi && random.Next(6) != 0)
            {
                (lo, hi) = (hi, lo);
            }

            return Spell(lo) + "-" + Spell(hi);
        }

        string Spell(int value) => named && random.Next(3) == 0 && (field == 4 || value < 7)
            ? Name(field == 4 ? s_months[value - 1] : s_weekdays[quartz ? value - 1 : value], random)
            : value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        return random.Next(10) switch
        {
            0 or 1 => Open(),
            2 or 3 => Open() + "/" + InRange(random, 1, max),
            4 or 5 => Value(),
            6 => OrderedRange(),
            7 => OrderedRange() + "/" + InRange(random, 1, max),
            8 => Value() + "/" + InRange(random, 1, max),
            _ => named ? Name(random, field, valid: true) : InRange(random, min, max),
        };
    }

    /// <summary>An item that may well be invalid: edge values just outside the range, wrong names, specials, near misses.</summary>
    private static string WildItem(Random random, int field, bool quartz)
    {
        var (min, max) = FieldRange(field, quartz);
        return random.Next(15) switch
        {
            0 or 1 => "*",
            2 => "?",
            3 or 4 => "*/" + Number(random, 1, max),
            5 or 6 => Number(random, min, max),
            7 => Number(random, min, max) + "-" + Number(random, min, max),
            8 => Number(random, min, max) + "-" + Number(random, min, max) + "/" + Number(random, 1, max),
            9 => Number(random, min, max) + "/" + Number(random, 1, max),
            10 => Name(random, field, valid: false),
            11 => Name(random, field, valid: false) + "-" + Name(random, field, valid: false) + (random.Next(3) == 0 ? "/" + Number(random, 1, max) : ""),
            12 => s_specials[random.Next(s_specials.Length)],
            13 => Edit(Item(random, field, quartz), random),
            _ => random.Next(6) switch
            {
                0 => "*/",
                1 => "**",
                2 => "*" + Number(random, min, max),
                3 => Number(random, min, max) + "*",
                4 => "*-" + Number(random, min, max),
                _ => "*/" + Number(random, 1, max) + "/" + Number(random, 1, max),
            },
        };
    }

    /// <summary>A value in range, often an edge, sometimes with a leading zero (or two: three digits, which the lean pass leaves alone).</summary>
    private static string InRange(Random random, int min, int max)
    {
        var value = random.Next(4) switch
        {
            0 => min,
            1 => max,
            _ => random.Next(min, max + 1),
        };

        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return random.Next(24) switch
        {
            0 or 1 when text.Length < 2 => "0" + text,
            2 when text.Length < 3 => "00" + text,
            _ => text,
        };
    }

    /// <summary>Mostly a value in range, often an edge, sometimes just outside, with leading zeros or three digits.</summary>
    private static string Number(Random random, int min, int max)
    {
        var value = random.Next(6) switch
        {
            0 => min,
            1 => max,
            2 => random.Next(2) == 0 ? min - 1 : max + 1,
            _ => random.Next(min, max + 1),
        };

        if (value < 0)
        {
            return "-" + (-value).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return random.Next(12) switch
        {
            0 => "0" + text,
            1 => "00" + text,
            2 => "100",
            _ => text,
        };
    }

    /// <summary>A month or weekday name in any case: of the field's kind when <paramref name="valid"/>, else often not.</summary>
    private static string Name(Random random, int field, bool valid)
    {
        var name = valid
            ? field == 4 ? s_months[random.Next(s_months.Length)] : s_weekdays[random.Next(s_weekdays.Length)]
            : random.Next(10) switch
            {
                < 3 => s_nearMissNames[random.Next(s_nearMissNames.Length)],
                < 6 => s_months[random.Next(s_months.Length)],
                _ => s_weekdays[random.Next(s_weekdays.Length)],
            };

        return Name(name, random);
    }

    /// <summary>The name in upper, lower or title case.</summary>
    private static string Name(string name, Random random)
    {
        return random.Next(4) switch
        {
            0 => name.ToLowerInvariant(),
            1 when name.Length > 1 => name[..1] + name[1..].ToLowerInvariant(),
            _ => name,
        };
    }

    /// <summary>One random insertion, deletion or replacement: a near miss.</summary>
    private static string Edit(string text, Random random)
    {
        var at = text.Length == 0 ? 0 : random.Next(text.Length);
        var c = EditAlphabet[random.Next(EditAlphabet.Length)].ToString();
        return random.Next(3) switch
        {
            0 => text.Insert(at, c),
            1 when text.Length > 0 => text.Remove(at, 1),
            _ when text.Length > 0 => text.Remove(at, 1).Insert(at, c),
            _ => c,
        };
    }

    private static string Escape(string text) => text.Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);
}
