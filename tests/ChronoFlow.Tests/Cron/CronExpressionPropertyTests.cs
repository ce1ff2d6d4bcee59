using ChronoFlow.Tests.Cron.Reference;
using FsCheck.Xunit;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// The engine against the slow reference (<see cref="ReferenceCron"/>) on generated expressions, zones and
/// instants (<see cref="Arbitraries"/>). A failure prints the generated case: expression, format, zone, instant.
/// </summary>
public class CronExpressionPropertyTests
{
    private const int Cases = 300;

    private static string Show(DateTimeOffset? value) => value is null ? "null" : $"{value.Value.UtcDateTime:yyyy-MM-ddTHH:mm:ss}Z ({value.Value:yyyy-MM-ddTHH:mm:sszzz})";

    private static string Show(DateTime? value) => value is null ? "null" : $"{value.Value:yyyy-MM-ddTHH:mm:ss.fffffff} ({value.Value.Kind})";

    private static void AssertSame(DateTimeOffset? expected, DateTimeOffset? actual, string what, CronCase c)
    {
        var same = expected is null
            ? actual is null
            : actual is not null && actual.Value.UtcTicks == expected.Value.UtcTicks && actual.Value.Offset == expected.Value.Offset;
        Assert.True(same, $"{what}: expected {Show(expected)}, engine gave {Show(actual)} for {c}");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetNextOccurrence_Zoned_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        AssertSame(reference.Next(c.From, c.Zone, c.Inclusive), engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive), "next", c);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetNextOccurrence_NearTransitions_Meets_Specification(DstCronCase d)
    {
        var c = d.Case;
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        var next = reference.Next(c.From, c.Zone, c.Inclusive);
        AssertSame(next, engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive), "next", c);
        if (next is not null)
        {
            // One step further, from the occurrence itself: the chain through the transition.
            AssertSame(reference.Next(next.Value, c.Zone), engine.GetNextOccurrence(next.Value, c.Zone), "next after next", c);
            AssertSame(reference.Previous(next.Value, c.Zone), engine.GetPreviousOccurrence(next.Value, c.Zone), "previous of next", c);
        }
    }

    /// <summary>
    /// Independent of the reference's search: every whole second of a four-hour window around a transition is checked
    /// against the definition of an occurrence (<see cref="ReferenceCron.IsOccurrence"/>), and the list must equal
    /// what the engine enumerates.
    /// </summary>
    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 100)]
    public void GetOccurrences_NearTransitions_EqualsScanOfDefinition_Meets_Specification(DstCronCase d)
    {
        var c = d.Case;
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        var from = c.From.UtcDateTime;
        var to = from.AddHours(4);
        var first = new DateTime((from.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond * TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        var expected = new List<DateTime>();
        for (var t = first; t < to; t = t.AddSeconds(1))
        {
            if (reference.IsOccurrence(t, c.Zone))
            {
                expected.Add(t);
            }
        }

        var actual = engine.GetOccurrences(c.From, new DateTimeOffset(to), c.Zone).Select(x => x.UtcDateTime).ToList();
        Assert.True(
            expected.SequenceEqual(actual),
            $"scan of the definition gave [{string.Join(", ", expected.Take(8).Select(x => x.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)))}{(expected.Count > 8 ? ", ..." : "")}] ({expected.Count}), " +
            $"engine [{string.Join(", ", actual.Take(8).Select(x => x.ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture)))}{(actual.Count > 8 ? ", ..." : "")}] ({actual.Count}) for {c} to {to:yyyy-MM-ddTHH:mm:ss}Z");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetPreviousOccurrence_NearTransitions_Meets_Specification(DstCronCase d)
    {
        var c = d.Case with { From = d.Case.From.AddHours(4) };
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        AssertSame(reference.Previous(c.From, c.Zone, c.Inclusive), engine.GetPreviousOccurrence(c.From, c.Zone, c.Inclusive), "previous", c);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 100)]
    public void GetNextAndPreviousOccurrence_Sparse_Meets_Specification(SparseCronCase s)
    {
        var c = s.Case;
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        AssertSame(reference.Next(c.From, c.Zone, c.Inclusive), engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive), "next", c);
        AssertSame(reference.Previous(c.From, c.Zone, c.Inclusive), engine.GetPreviousOccurrence(c.From, c.Zone, c.Inclusive), "previous", c);
        var utc = c.From.UtcDateTime;
        Assert.True(reference.Next(utc, c.Inclusive) == engine.GetNextOccurrence(utc, c.Inclusive), $"UTC next differs for {c}");
        Assert.True(reference.Previous(utc, c.Inclusive) == engine.GetPreviousOccurrence(utc, c.Inclusive), $"UTC previous differs for {c}");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetNextOccurrence_Utc_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        var from = c.From.UtcDateTime;
        var expected = reference.Next(from, c.Inclusive);
        var actual = engine.GetNextOccurrence(from, c.Inclusive);
        Assert.True(expected == actual && (actual is null || actual.Value.Kind == DateTimeKind.Utc), $"UTC next: expected {Show(expected)}, engine gave {Show(actual)} for {c with { ZoneId = "UTC" }}");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetPreviousOccurrence_Zoned_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        AssertSame(reference.Previous(c.From, c.Zone, c.Inclusive), engine.GetPreviousOccurrence(c.From, c.Zone, c.Inclusive), "previous", c);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetPreviousOccurrence_Utc_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var reference = ReferenceCron.Parse(c.Expression, c.Format);
        var from = c.From.UtcDateTime;
        var expected = reference.Previous(from, c.Inclusive);
        var actual = engine.GetPreviousOccurrence(from, c.Inclusive);
        Assert.True(expected == actual && (actual is null || actual.Value.Kind == DateTimeKind.Utc), $"UTC previous: expected {Show(expected)}, engine gave {Show(actual)} for {c with { ZoneId = "UTC" }}");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetNextOccurrence_IsAfterFromAndAnOccurrence_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var next = engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive);
        if (next is null)
        {
            return;
        }

        Assert.True(c.Inclusive ? next.Value >= c.From : next.Value > c.From, $"next {Show(next)} is not after from for {c}");
        Assert.True(ReferenceCron.Parse(c.Expression, c.Format).IsOccurrence(next.Value.UtcDateTime, c.Zone), $"next {Show(next)} is no occurrence for {c}");
        Assert.Equal(c.Zone.GetUtcOffset(next.Value.UtcDateTime), next.Value.Offset);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void GetPreviousOccurrence_OfNext_IsAtOrBeforeFrom_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var next = engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive);
        if (next is null)
        {
            return;
        }

        var previous = engine.GetPreviousOccurrence(next.Value, c.Zone);
        Assert.True(previous is null || (c.Inclusive ? previous.Value < c.From : previous.Value <= c.From), $"previous(next) = {Show(previous)} with next {Show(next)} for {c}");

        // And the other way round: next(previous(next)) is next again.
        if (previous is not null)
        {
            AssertSame(next, engine.GetNextOccurrence(previous.Value, c.Zone), "next(previous(next))", c);
        }
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void ToString_ParsesBackToEqualValue_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var text = engine.ToString();
        Assert.True(CronExpression.TryParse(text, c.Format, out var again), $"canonical text \"{text}\" does not parse for {c}");
        Assert.True(engine == again, $"canonical text \"{text}\" parses to a different value for {c}");
        Assert.Equal(engine.GetHashCode(), again.GetHashCode());
        Assert.Equal(engine.IsFixedTime, again.IsFixedTime);
        Assert.Equal(text, again.ToString());

        var a = engine.GetNextOccurrence(c.From, c.Zone, c.Inclusive);
        var b = again.GetNextOccurrence(c.From, c.Zone, c.Inclusive);
        for (var i = 0; i < 3 && a is not null; i++)
        {
            AssertSame(a, b, $"next #{i} of \"{text}\"", c);
            a = engine.GetNextOccurrence(a.Value, c.Zone);
            b = again.GetNextOccurrence(b!.Value, c.Zone);
        }

        AssertSame(a, b, "last next", c);
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void Equals_FollowsMeaning_Meets_Specification(CronText x, CronText y)
    {
        var a = CronExpression.Parse(x.Expression, x.Format);
        var b = CronExpression.Parse(y.Expression, y.Format);
        Assert.True(a.Equals(a) && a == CronExpression.Parse(x.Expression, x.Format), $"not equal to itself: {x}");

        // The same text in lower case with wider gaps means the same: equal, with the same hash code.
        var variant = CronExpression.Parse(" " + x.Expression.ToLowerInvariant().Replace(" ", " \t ", StringComparison.Ordinal) + "\t", x.Format);
        Assert.True(a == variant && a.GetHashCode() == variant.GetHashCode(), $"lower-case, wider-spaced text differs for {x}");
        if (a == b)
        {
            Assert.True(a.GetHashCode() == b.GetHashCode(), $"equal values, different hash codes: {x} and {y}");

            // Equal values fire at the same instants.
            var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
            Assert.Equal(a.GetNextOccurrence(from, zone), b.GetNextOccurrence(from, zone));
        }

        Assert.Equal(a == b, a.Equals((object)b));
        Assert.Equal(a != b, !a.Equals(b));
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = Cases)]
    public void IsFixedTime_DecidedByText_Meets_Specification(CronText x)
    {
        Assert.True(
            ReferenceCron.Parse(x.Expression, x.Format).IsFixedTime == CronExpression.Parse(x.Expression, x.Format).IsFixedTime,
            $"IsFixedTime differs from the reference for {x}");
    }

    [Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 100)]
    public void GetOccurrences_ListsTheNextChain_Meets_Specification(CronCase c)
    {
        var engine = CronExpression.Parse(c.Expression, c.Format);
        var to = c.From.AddDays(3);
        var expected = new List<DateTimeOffset>();
        for (var at = engine.GetNextOccurrence(c.From, c.Zone, inclusive: true); at is not null && at.Value < to && expected.Count < 200; at = engine.GetNextOccurrence(at.Value, c.Zone))
        {
            expected.Add(at.Value);
        }

        var actual = engine.GetOccurrences(c.From, to, c.Zone).Take(200).ToList();
        Assert.True(expected.SequenceEqual(actual), $"GetOccurrences differs from the chain of GetNextOccurrence for {c}");
    }

    [Fact]
    public void GetOccurrences_Bounds_FollowTheFlags()
    {
        var cron = CronExpression.Parse("0 * * * *");
        var from = new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        var to = from.AddHours(3);
        Assert.Equal([from, from.AddHours(1), from.AddHours(2)], cron.GetOccurrences(from, to).Select(x => x.UtcDateTime));
        Assert.Equal([from.AddHours(1), from.AddHours(2), to], cron.GetOccurrences(from, to, fromInclusive: false, toInclusive: true).Select(x => x.UtcDateTime));
        Assert.Empty(cron.GetOccurrences(from, from));
        Assert.Single(cron.GetOccurrences(from, from, toInclusive: true));
        Assert.Throws<ArgumentException>(() => cron.GetOccurrences(to, from));
        Assert.All(cron.GetOccurrences(from, to), x => Assert.Equal(TimeSpan.Zero, x.Offset));
    }

    [Fact]
    public void Equals_SevenAndZero_AreBothSunday()
    {
        var seven = CronExpression.Parse("0 0 * * 7");
        var zero = CronExpression.Parse("0 0 * * 0");
        Assert.Equal(zero, seven);
        Assert.Equal(zero.GetHashCode(), seven.GetHashCode());
        Assert.Equal(CronExpression.Parse("0 0 * * SUN"), seven);
        Assert.NotEqual(CronExpression.Parse("0 0 * * 1"), seven);
    }
}
