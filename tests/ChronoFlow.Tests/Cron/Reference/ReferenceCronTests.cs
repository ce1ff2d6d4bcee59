namespace ChronoFlow.Tests.Cron.Reference;

/// <summary>
/// Checks the reference itself against facts computed by hand, and its day-stepping search against a brute-force
/// scan of <see cref="ReferenceCron.IsOccurrence"/>, so that the property tests compare the engine with something
/// trustworthy.
/// </summary>
public class ReferenceCronTests
{
    private static readonly TimeZoneInfo s_newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, DateTimeKind.Utc);

    [Theory]
    [InlineData("0 0 29 2 *", "2025-01-01T00:00:00", "2028-02-29T00:00:00")]
    [InlineData("0 0 L * *", "2025-02-01T00:00:00", "2025-02-28T00:00:00")]
    [InlineData("0 0 L-3 * *", "2025-02-01T00:00:00", "2025-02-25T00:00:00")]
    [InlineData("0 0 15W * *", "2025-03-01T00:00:00", "2025-03-14T00:00:00")]   // 15 March 2025 is a Saturday
    [InlineData("0 0 15W * *", "2025-06-01T00:00:00", "2025-06-16T00:00:00")]   // 15 June 2025 is a Sunday
    [InlineData("0 0 1W * *", "2025-02-01T00:00:00", "2025-02-03T00:00:00")]    // 1 February 2025 is a Saturday
    [InlineData("0 0 31W * *", "2025-08-01T00:00:00", "2025-08-29T00:00:00")]   // 31 August 2025 is a Sunday
    [InlineData("0 0 31W * *", "2025-04-01T00:00:00", "2025-05-30T00:00:00")]   // no 31 April; 31 May is a Saturday
    [InlineData("0 0 LW * *", "2025-08-01T00:00:00", "2025-08-29T00:00:00")]
    [InlineData("0 0 L-2W * *", "2025-05-01T00:00:00", "2025-05-29T00:00:00")]  // 29 May 2025 is a Thursday
    [InlineData("0 0 * * 5L", "2025-01-01T00:00:00", "2025-01-31T00:00:00")]
    [InlineData("0 0 * * 5#3", "2025-01-01T00:00:00", "2025-01-17T00:00:00")]
    [InlineData("0 0 * * 1#5", "2025-01-01T00:00:00", "2025-03-31T00:00:00")]  // January and February 2025 have four Mondays
    [InlineData("0 0 * * 7", "2025-01-01T00:00:00", "2025-01-05T00:00:00")]
    [InlineData("0 0 * * 5-1/2", "2025-01-04T00:00:00", "2025-01-05T00:00:00")] // Saturday 4th -> Sunday 5th
    [InlineData("0 22-2/2 * * *", "2025-01-01T03:00:00", "2025-01-01T22:00:00")]
    [InlineData("0 22-2/2 * * *", "2025-01-01T22:00:00", "2025-01-02T00:00:00")]
    [InlineData("0 0 1 * 1", "2025-01-02T00:00:00", "2025-01-06T00:00:00")]     // either day field (Vixie)
    [InlineData("0 0 13 * 5", "2025-01-01T00:00:00", "2025-01-03T00:00:00")]
    [InlineData("0 12 * * MON-FRI", "2025-01-04T00:00:00", "2025-01-06T12:00:00")]
    [InlineData("@yearly", "2025-06-01T00:00:00", "2026-01-01T00:00:00")]
    [InlineData("@every_second", "2025-06-01T00:00:00", "2025-06-01T00:00:01")]
    public void Next_HandComputed_Matches(string expression, string from, string expected)
    {
        var cron = ReferenceCron.Parse(expression, CronFormat.Standard);
        var result = cron.Next(DateTime.SpecifyKind(DateTime.Parse(from, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc));
        Assert.Equal(DateTime.SpecifyKind(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), DateTimeKind.Utc), result);
    }

    [Fact]
    public void Next_IntersectDays_BothMustMatch()
    {
        var cron = ReferenceCron.Parse("0 0 13 * 5", CronFormat.IntersectDays);
        Assert.Equal(Utc(2025, 6, 13), cron.Next(Utc(2025, 1, 1)));   // the next Friday the 13th
    }

    [Theory]
    [InlineData("0 0 30 2 *", CronFormat.Standard)]
    [InlineData("* * 1-21 * 0L", CronFormat.IntersectDays)]
    [InlineData("0 0 31W 4 *", CronFormat.Standard)]
    public void Next_NeverFires_IsNull(string expression, CronFormat format)
    {
        var cron = ReferenceCron.Parse(expression, format);
        Assert.Null(cron.Next(Utc(2025, 1, 1)));
        Assert.Null(cron.Previous(Utc(2025, 1, 1)));
    }

    [Fact]
    public void Next_PastLastListedYear_IsNull()
    {
        var cron = ReferenceCron.Parse("0 0 0 1 1 * 1999", CronFormat.IncludeSeconds | CronFormat.IncludeYear);
        Assert.Null(cron.Next(Utc(2025, 1, 1)));
        Assert.Equal(Utc(1999, 1, 1), cron.Previous(Utc(2025, 1, 1)));
        Assert.Null(cron.Previous(Utc(1999, 1, 1)));
    }

    [Fact]
    public void Next_SpringForwardGap_FiresAtJump()
    {
        var cron = ReferenceCron.Parse("30 2 * * *", CronFormat.Standard);
        var next = cron.Next(new DateTimeOffset(2025, 3, 8, 12, 0, 0, TimeSpan.Zero), s_newYork);
        Assert.Equal(new DateTimeOffset(2025, 3, 9, 7, 0, 0, TimeSpan.Zero), next);
        Assert.Equal(TimeSpan.FromHours(-4), next!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 6, 30, 0, TimeSpan.Zero), cron.Next(next.Value, s_newYork));
    }

    [Fact]
    public void Next_FallBackFixedTime_FiresOnce()
    {
        var cron = ReferenceCron.Parse("30 1 * * *", CronFormat.Standard);
        var first = cron.Next(new DateTimeOffset(2025, 11, 2, 0, 0, 0, TimeSpan.Zero), s_newYork);
        Assert.Equal(new DateTimeOffset(2025, 11, 2, 5, 30, 0, TimeSpan.Zero), first);
        Assert.Equal(new DateTimeOffset(2025, 11, 3, 6, 30, 0, TimeSpan.Zero), cron.Next(first!.Value, s_newYork));
        Assert.False(cron.IsOccurrence(Utc(2025, 11, 2, 6, 30), s_newYork));
    }

    [Fact]
    public void Next_FallBackInterval_FiresInBothPasses()
    {
        var cron = ReferenceCron.Parse("*/30 1 * * *", CronFormat.Standard);
        var seen = new List<DateTimeOffset>();
        var at = new DateTimeOffset(2025, 11, 2, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 5; i++)
        {
            at = cron.Next(at, s_newYork)!.Value;
            seen.Add(at);
        }

        Assert.Equal(
            [Utc(2025, 11, 2, 5, 0), Utc(2025, 11, 2, 5, 30), Utc(2025, 11, 2, 6, 0), Utc(2025, 11, 2, 6, 30), Utc(2025, 11, 3, 6, 0)],
            seen.Select(x => x.UtcDateTime));
        Assert.Equal(TimeSpan.FromHours(-4), seen[1].Offset);
        Assert.Equal(TimeSpan.FromHours(-5), seen[2].Offset);
    }

    [Fact]
    public void Previous_FallBack_IsInverseOfNext()
    {
        var cron = ReferenceCron.Parse("*/30 1 * * *", CronFormat.Standard);
        Assert.Equal(Utc(2025, 11, 2, 6, 0), cron.Previous(new DateTimeOffset(2025, 11, 2, 6, 30, 0, TimeSpan.Zero), s_newYork)!.Value.UtcDateTime);
        var fixedTime = ReferenceCron.Parse("30 1 * * *", CronFormat.Standard);
        Assert.Equal(Utc(2025, 11, 2, 5, 30), fixedTime.Previous(new DateTimeOffset(2025, 11, 3, 0, 0, 0, TimeSpan.Zero), s_newYork)!.Value.UtcDateTime);
        var gap = ReferenceCron.Parse("30 2 * * *", CronFormat.Standard);
        Assert.Equal(Utc(2025, 3, 9, 7, 0), gap.Previous(new DateTimeOffset(2025, 3, 10, 0, 0, 0, TimeSpan.Zero), s_newYork)!.Value.UtcDateTime);
    }

    [Fact]
    public void Zone_NewYorkTransitions_FoundToTheSecond()
    {
        var transitions = ReferenceZone.TransitionsIn(s_newYork, 2025);
        Assert.Equal(2, transitions.Length);
        Assert.Equal(new ReferenceZone.Transition(Utc(2025, 3, 9, 7, 0), TimeSpan.FromHours(-5), TimeSpan.FromHours(-4)), transitions[0]);
        Assert.Equal(new ReferenceZone.Transition(Utc(2025, 11, 2, 6, 0), TimeSpan.FromHours(-4), TimeSpan.FromHours(-5)), transitions[1]);
    }

    [Theory]
    [InlineData("* * 0 * * *", "America/New_York", "2025-03-08T20:00:00Z", CronFormat.IncludeSeconds)]
    [InlineData("*/7 0-3 * * *", "America/New_York", "2025-11-01T20:00:00Z", CronFormat.Standard)]
    [InlineData("15,45 2 * * *", "Australia/Lord_Howe", "2025-10-03T12:00:00Z", CronFormat.Standard)]
    [InlineData("15,45 1 * * *", "Australia/Lord_Howe", "2025-04-04T12:00:00Z", CronFormat.Standard)]
    [InlineData("0 2-4 * * *", "Pacific/Chatham", "2025-09-26T12:00:00Z", CronFormat.Standard)]
    [InlineData("30 23,0 * * *", "America/Santiago", "2025-04-04T12:00:00Z", CronFormat.Standard)]
    [InlineData("*/20 23-0 * * *", "America/Santiago", "2025-04-04T12:00:00Z", CronFormat.Standard)]
    [InlineData("10 0 * * *", "America/Santiago", "2025-09-05T12:00:00Z", CronFormat.Standard)]
    [InlineData("5 0 1 1 *", "Asia/Kathmandu", "1985-12-30T12:00:00Z", CronFormat.Standard)]
    public void Next_AgreesWithBruteForceScanOfTheDefinition(string expression, string zoneId, string from, CronFormat format)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var cron = ReferenceCron.Parse(expression, format);
        var start = DateTimeOffset.Parse(from, System.Globalization.CultureInfo.InvariantCulture);
        var end = start.AddDays(2);
        var expected = new List<DateTime>();
        for (var t = start.UtcDateTime; t < end.UtcDateTime; t = t.AddSeconds(1))
        {
            if (cron.IsOccurrence(t, zone))
            {
                expected.Add(t);
            }
        }

        Assert.NotEmpty(expected);
        var actual = new List<DateTime>();
        for (var at = cron.Next(start, zone, inclusive: true); at is not null && at.Value < end; at = cron.Next(at.Value, zone))
        {
            actual.Add(at.Value.UtcDateTime);
        }

        Assert.Equal(expected, actual);

        var backwards = new List<DateTime>();
        for (var at = cron.Previous(end, zone); at is not null && at.Value >= start; at = cron.Previous(at.Value, zone))
        {
            backwards.Add(at.Value.UtcDateTime);
        }

        backwards.Reverse();
        Assert.Equal(expected, backwards);
    }
}

/// <summary>The generators make only expressions the reference accepts, and the samples cover the dialect.</summary>
public class ArbitrariesTests
{
    [Fact]
    public void CronTextGen_Samples_AreValidAndVaried()
    {
        var samples = FsCheck.Fluent.Gen.Sample(Arbitraries.CronTextGen, 2000);
        foreach (var sample in samples)
        {
            Assert.True(ReferenceCron.TryParse(sample.Expression, sample.Format, out _, out var error), $"{sample}: {error}");
        }

        var all = string.Join("\n", samples.Select(x => x.Expression));
        foreach (var needle in new[] { "L-", "W", "#", "LW", "@", "/", "-", ",", "\t", "?" })
        {
            Assert.Contains(needle, all, StringComparison.Ordinal);
        }

        Assert.Contains(samples, x => x.Format.HasFlag(CronFormat.IncludeYear));
        Assert.Contains(samples, x => ReferenceCron.Parse(x.Expression, x.Format).IsFixedTime);
        Assert.Contains(samples, x => !ReferenceCron.Parse(x.Expression, x.Format).IsFixedTime);
    }
}

/// <summary>The reference agrees with itself on generated cases: what Next returns is an occurrence, and Previous inverts it.</summary>
public class ReferenceCronPropertyTests
{
    [FsCheck.Xunit.Property(Arbitrary = [typeof(Arbitraries)], MaxTest = 300)]
    public void Next_IsOccurrenceAndPreviousInvertsIt_Meets_Specification(CronCase c)
    {
        var cron = ReferenceCron.Parse(c.Expression, c.Format);
        var next = cron.Next(c.From, c.Zone, c.Inclusive);
        if (next is null)
        {
            Assert.Null(cron.Next(c.From.AddYears(1), c.Zone));
            return;
        }

        Assert.True(c.Inclusive ? next >= c.From : next > c.From, $"{next} for {c}");
        Assert.True(cron.IsOccurrence(next.Value.UtcDateTime, c.Zone), $"{next} is no occurrence for {c}");
        var previous = cron.Previous(next.Value, c.Zone);
        Assert.True(previous is null || (c.Inclusive ? previous < c.From : previous <= c.From), $"previous {previous} of {next} for {c}");
        if (previous is not null)
        {
            Assert.True(cron.IsOccurrence(previous.Value.UtcDateTime, c.Zone), $"previous {previous} is no occurrence for {c}");
            Assert.Equal(next, cron.Next(previous.Value, c.Zone));
        }
    }
}

public class ReferenceCronParseTests
{
    [Theory]
    [InlineData("0000000000000005 * * * *", true)]
    [InlineData("99999999999999 * * * *", false)]
    [InlineData("* * ?,1 * *", true)]
    [InlineData("* ? * * *", false)]
    [InlineData("* * * * 1,*", true)]
    [InlineData("* * * * FRIL", true)]
    [InlineData("* * * * JUL", false)]
    [InlineData("* * * JUL *", true)]
    [InlineData("* * * * 7-7", true)]
    public void TryParse_EdgeReadings(string text, bool valid)
        => Assert.Equal(valid, ReferenceCron.TryParse(text, CronFormat.Standard, out _, out _));

    [Fact]
    public void TryParse_Garbage_NeverThrows()
    {
        var random = new Random(99);
        const string alphabet = "0123456789*,-/?LW#@ \tJANMONfri!é\n";
        for (var i = 0; i < 20000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            _ = ReferenceCron.TryParse(text, (CronFormat)random.Next(8), out _, out _);
        }
    }
}

public class DstArbitrariesTests
{
    [Fact]
    public void DstCronCaseGen_Samples_HitTheTransitionRulesOften()
    {
        var cases = FsCheck.Fluent.Gen.Sample(Arbitraries.DstCronCaseGen, 1000).Select(x => x.Case).ToArray();
        int atJump = 0, inSecondPass = 0;
        foreach (var c in cases)
        {
            var next = ReferenceCron.Parse(c.Expression, c.Format).Next(c.From, c.Zone, c.Inclusive);
            Assert.NotNull(next);
            var u = next.Value.UtcDateTime;
            var offset = ReferenceZone.Offset(c.Zone, u);
            if (offset > ReferenceZone.Offset(c.Zone, u.AddSeconds(-1)))
            {
                atJump++;
            }

            var local = u + offset;
            if (ReferenceZone.OffsetsAround(c.Zone, local.Date).Any(o => local - o < u && ReferenceZone.Offset(c.Zone, local - o) == o))
            {
                inSecondPass++;
            }
        }

        Assert.True(atJump >= 50, $"only {atJump} of 1000 cases fire at a spring-forward jump");
        Assert.True(inSecondPass >= 40, $"only {inSecondPass} of 1000 cases fire in the second pass of a repeated hour");
    }
}
