using System.Diagnostics;
using System.Text;
using ChronoFlow.Tests.Cron.Reference;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// Random garbage and random mutations of valid expressions: <c>TryParse</c> never throws, <c>Parse</c> throws
/// nothing but <see cref="CronFormatException"/>, the two agree, every call is fast, and the engine accepts exactly
/// what the reference accepts.
/// </summary>
public class CronExpressionFuzzTests
{
    private const string Alphabet = "0123456789 0123456789 *,-/?LW#H@ \t\t JANFEBMONSUNfrixyzlw;.!$%^&()_+=[]{}|\\:'\"<>~`\r\n\0\u00a0\u0663\u2007é";

    private static readonly CronFormat[] s_formats = [CronFormat.Standard, CronFormat.IncludeSeconds, CronFormat.IncludeYear, CronFormat.IntersectDays, (CronFormat)7];

    /// <summary>Inputs: garbage, and valid expressions with a few random edits.</summary>
    private static List<(string Text, CronFormat Format)> Inputs(int seed, int count)
    {
        var random = new Random(seed);
        var valid = FsCheck.Fluent.Gen.Sample(Arbitraries.CronTextGen, count / 2, new FsCheck.Rnd((ulong)seed, 0x9E3779B97F4A7C15UL), 50);
        Assert.Equal(count / 2, valid.Length);
        var list = new List<(string, CronFormat)>();
        foreach (var v in valid)
        {
            list.Add((Mutate(v.Expression, random), random.Next(4) == 0 ? s_formats[random.Next(s_formats.Length)] : v.Format));
        }

        while (list.Count < count)
        {
            var length = random.Next(0, 40);
            var text = new StringBuilder();
            for (var i = 0; i < length; i++)
            {
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            list.Add((text.ToString(), s_formats[random.Next(s_formats.Length)]));
        }

        return list;
    }

    private static string Mutate(string text, Random random)
    {
        var edits = random.Next(0, 4);
        for (var i = 0; i < edits; i++)
        {
            var at = text.Length == 0 ? 0 : random.Next(text.Length);
            switch (random.Next(7))
            {
                case 0:
                    text = text.Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString());
                    break;
                case 1 when text.Length > 0:
                    text = text.Remove(at, 1);
                    break;
                case 2 when text.Length > 0:
                    text = text.Remove(at, 1).Insert(at, Alphabet[random.Next(Alphabet.Length)].ToString());
                    break;
                case 3:
                    var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
                    if (fields.Count > 0)
                    {
                        var f = random.Next(fields.Count);
                        fields.Insert(f, fields[f]);
                        text = string.Join(' ', fields);
                    }

                    break;
                case 4:
                    text = text[..at];
                    break;
                case 5:
                    text = text.Insert(at, random.Next(100, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    break;   // sometimes leave it valid
            }
        }

        return text;
    }

    [Fact]
    public void TryParseAndParse_RandomInput_NeverThrowUnexpectedlyAndAgree()
    {
        var accepted = 0;
        var problems = new List<string>();
        foreach (var (text, format) in Inputs(seed: 20251123, count: 6000))
        {
            var shown = $"\"{Escape(text)}\" ({format})";
            bool ok;
            CronExpression tried;
            try
            {
                ok = CronExpression.TryParse(text, format, out tried);
                _ = CronExpression.TryParse(text, format, "seed", out _);
            }
            catch (Exception thrown)
            {
                problems.Add($"TryParse threw {thrown.GetType().Name} for {shown}: {thrown.Message}");
                continue;
            }

            CronExpression parsed;
            try
            {
                parsed = CronExpression.Parse(text, format);
            }
            catch (CronFormatException error)
            {
                if (ok)
                {
                    problems.Add($"TryParse accepted what Parse rejected: {shown}: {error.Message}");
                }

                if (tried != default)
                {
                    problems.Add($"failed TryParse left a non-default result: {shown}");
                }

                if (error.Position < 0 || error.Position > text.Length || string.IsNullOrWhiteSpace(error.Message))
                {
                    problems.Add($"bad position {error.Position} or empty message for {shown}: {error.Message}");
                }

                continue;
            }
            catch (Exception other)
            {
                problems.Add($"Parse threw {other.GetType().Name} for {shown}: {other.Message}");
                continue;
            }

            accepted++;
            if (!ok || parsed != tried)
            {
                problems.Add($"Parse and TryParse disagree for {shown}");
            }

            var canonical = parsed.ToString();
            if (!CronExpression.TryParse(canonical, format, out var again) || again != parsed)
            {
                problems.Add($"canonical text \"{canonical}\" does not parse back to an equal value for {shown}");
            }
        }

        Assert.True(problems.Count == 0, $"{problems.Count} problems:\n" + string.Join("\n", problems.Distinct().Take(40)));
        Assert.InRange(accepted, 300, 5700);   // the inputs mix valid and invalid text
    }

    [Fact]
    public void TryParse_RandomInput_AgreesWithReference()
    {
        var disagreements = new List<string>();
        foreach (var (text, format) in Inputs(seed: 424242, count: 8000))
        {
            // H is outside the reference.
            if (text.Contains('H', StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var engine = CronExpression.TryParse(text, format, out _);
            var reference = ReferenceCron.TryParse(text, format, out _, out var why);
            if (engine != reference)
            {
                disagreements.Add($"\"{Escape(text)}\" ({format}): engine {(engine ? "accepts" : "rejects")}, reference {(reference ? "accepts" : "rejects: " + why)}");
            }
        }

        Assert.True(disagreements.Count == 0, $"{disagreements.Count} disagreements:\n" + string.Join("\n", disagreements.Take(40)));
    }

    [Fact]
    public void TryParse_EveryCall_UnderOneMillisecond()
    {
        var inputs = Inputs(seed: 7, count: 4000);
        foreach (var (text, format) in inputs.Take(300))
        {
            _ = CronExpression.TryParse(text, format, out _);   // warm up
        }

        var slow = new List<string>();
        foreach (var (text, format) in inputs)
        {
            var fast = false;
            var worst = TimeSpan.Zero;
            for (var attempt = 0; attempt < 4 && !fast; attempt++)
            {
                var watch = Stopwatch.StartNew();
                _ = CronExpression.TryParse(text, format, out _);
                watch.Stop();
                fast = watch.Elapsed < TimeSpan.FromMilliseconds(1);
                worst = watch.Elapsed > worst ? watch.Elapsed : worst;
            }

            if (!fast)
            {
                slow.Add($"\"{Escape(text)}\" ({format}) took {worst.TotalMilliseconds:F3} ms every time");
            }
        }

        Assert.True(slow.Count == 0, string.Join("\n", slow));
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder();
        foreach (var c in text)
        {
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:x4}");
        }

        return builder.ToString();
    }
}
