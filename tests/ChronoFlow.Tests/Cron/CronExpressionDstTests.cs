using System.Globalization;
using ChronoFlow.Tests.Cron.Reference;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// Hand-computed firings around transitions: a skipped time fires once at the jump; a fixed-time expression fires
/// once, in the first pass of a repeated hour; an interval expression fires in both passes. Every case is checked
/// against the engine and, as a check on the hand arithmetic, against the reference.
/// </summary>
public class CronExpressionDstTests
{
    /// <summary>
    /// The chain of next occurrences of <paramref name="expression"/> in <paramref name="zoneId"/> from
    /// <paramref name="from"/> (exclusive) equals <paramref name="expected"/> (UTC instants, "Z" implied), each carrying
    /// the zone's offset at that instant; and walking back with previous gives the same chain reversed.
    /// </summary>
    private static void AssertChain(string expression, string zoneId, string from, params string[] expected)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var start = DateTimeOffset.Parse(from, CultureInfo.InvariantCulture);
        var want = expected.Select(x => DateTime.SpecifyKind(DateTime.Parse(x, CultureInfo.InvariantCulture), DateTimeKind.Utc)).ToList();

        var reference = ReferenceCron.Parse(expression, CronFormat.IncludeSeconds);
        var referenceChain = new List<DateTime>();
        DateTimeOffset? r = start;
        for (var i = 0; i < want.Count; i++)
        {
            r = reference.Next(r!.Value, zone);
            referenceChain.Add(r!.Value.UtcDateTime);
        }

        Assert.Equal(want, referenceChain);   // the hand arithmetic agrees with the reference

        var engine = CronExpression.Parse(expression, CronFormat.IncludeSeconds);
        var engineChain = new List<DateTimeOffset>();
        DateTimeOffset? e = start;
        for (var i = 0; i < want.Count; i++)
        {
            e = engine.GetNextOccurrence(e!.Value, zone);
            Assert.True(e is not null, $"'{expression}' in {zoneId} from {start:o}: occurrence #{i} missing");
            engineChain.Add(e.Value);
        }

        Assert.Equal(want, engineChain.Select(x => x.UtcDateTime));
        foreach (var at in engineChain)
        {
            Assert.Equal(zone.GetUtcOffset(at.UtcDateTime), at.Offset);
        }

        var back = new List<DateTime>();
        DateTimeOffset? p = engineChain[^1];
        for (var i = 1; i < want.Count; i++)
        {
            p = engine.GetPreviousOccurrence(p!.Value, zone);
            back.Add(p!.Value.UtcDateTime);
        }

        back.Reverse();
        Assert.Equal(want.Take(want.Count - 1), back);
    }

    // America/New_York 2025: 9 March 02:00 EST -> 03:00 EDT at 07:00Z; 2 November 02:00 EDT -> 01:00 EST at 06:00Z.
    [Fact]
    public void GetNextOccurrence_NewYorkSpringForward_SkippedTimeFiresAtJump()
        => AssertChain("0 30 2 * * *", "America/New_York", "2025-03-08T00:00:00Z", "2025-03-08T07:30:00", "2025-03-09T07:00:00", "2025-03-10T06:30:00");

    [Fact]
    public void GetNextOccurrence_NewYorkSpringForwardInterval_WholeSkippedHourFiresOnce()
        => AssertChain("0 */15 2 * * *", "America/New_York", "2025-03-09T06:00:00Z", "2025-03-09T07:00:00", "2025-03-10T06:00:00", "2025-03-10T06:15:00");

    [Fact]
    public void GetNextOccurrence_NewYorkSpringForward_JumpAndTimeAfterItCoincide()
        => AssertChain("0 30 2,3 * * *", "America/New_York", "2025-03-09T06:00:00Z", "2025-03-09T07:00:00", "2025-03-09T07:30:00", "2025-03-10T06:30:00");

    [Fact]
    public void GetNextOccurrence_NewYorkFallBackFixedTime_FiresOnceInFirstPass()
        => AssertChain("0 30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z", "2025-11-02T05:30:00", "2025-11-03T06:30:00");

    [Fact]
    public void GetNextOccurrence_NewYorkFallBackInterval_FiresInBothPasses()
        => AssertChain("0 */30 1 * * *", "America/New_York", "2025-11-01T12:00:00Z", "2025-11-02T05:00:00", "2025-11-02T05:30:00", "2025-11-02T06:00:00", "2025-11-02T06:30:00", "2025-11-03T06:00:00");

    [Fact]
    public void GetNextOccurrence_NewYorkFallBackHourly_KeepsRealTimeCadence()
        => AssertChain("0 0 * * * *", "America/New_York", "2025-11-02T03:30:00Z", "2025-11-02T04:00:00", "2025-11-02T05:00:00", "2025-11-02T06:00:00", "2025-11-02T07:00:00");

    [Fact]
    public void GetNextOccurrence_NewYorkFallBackFixedList_EachOnce()
        => AssertChain("0 0,30 1 * * *", "America/New_York", "2025-11-02T04:00:00Z", "2025-11-02T05:00:00", "2025-11-02T05:30:00", "2025-11-03T06:00:00");

    [Fact]
    public void GetNextOccurrence_NewYorkFallBackSecondsInterval_BothPasses()
        => AssertChain("*/20 59 1 * * *", "America/New_York", "2025-11-02T05:58:00Z", "2025-11-02T05:59:00", "2025-11-02T05:59:20", "2025-11-02T05:59:40", "2025-11-02T06:59:00");

    // Europe/London 2025: 30 March 01:00 GMT -> 02:00 BST at 01:00Z; 26 October 02:00 BST -> 01:00 GMT at 01:00Z.
    [Fact]
    public void GetNextOccurrence_LondonSpringForward_SkippedTimeFiresAtJump()
        => AssertChain("0 30 1 * * *", "Europe/London", "2025-03-29T12:00:00Z", "2025-03-30T01:00:00", "2025-03-31T00:30:00");

    [Fact]
    public void GetNextOccurrence_LondonFallBack_FixedOnceIntervalTwice()
    {
        AssertChain("0 30 1 * * *", "Europe/London", "2025-10-25T12:00:00Z", "2025-10-26T00:30:00", "2025-10-27T01:30:00");
        AssertChain("0 */30 1 * * *", "Europe/London", "2025-10-25T12:00:00Z", "2025-10-26T00:00:00", "2025-10-26T00:30:00", "2025-10-26T01:00:00", "2025-10-26T01:30:00", "2025-10-27T01:00:00");
    }

    // Australia/Lord_Howe 2025: 6 April 02:00 +11 -> 01:30 +10:30 at 15:00Z on the 5th; 5 October 02:00 +10:30 -> 02:30 +11 at 15:30Z on the 4th.
    [Fact]
    public void GetNextOccurrence_LordHoweSpringForward_HalfHourGapFiresAtJump()
    {
        AssertChain("0 15 2 * * *", "Australia/Lord_Howe", "2025-10-04T12:00:00Z", "2025-10-04T15:30:00", "2025-10-05T15:15:00");
        AssertChain("0 0,45 2 * * *", "Australia/Lord_Howe", "2025-10-04T12:00:00Z", "2025-10-04T15:30:00", "2025-10-04T15:45:00", "2025-10-05T15:00:00");
    }

    [Fact]
    public void GetNextOccurrence_LordHoweFallBack_HalfHourRepeated()
    {
        AssertChain("0 45 1 * * *", "Australia/Lord_Howe", "2025-04-05T12:00:00Z", "2025-04-05T14:45:00", "2025-04-06T15:15:00");
        AssertChain("0 */15 1 * * *", "Australia/Lord_Howe", "2025-04-05T13:50:00Z", "2025-04-05T14:00:00", "2025-04-05T14:15:00", "2025-04-05T14:30:00", "2025-04-05T14:45:00", "2025-04-05T15:00:00", "2025-04-05T15:15:00", "2025-04-06T14:30:00");
    }

    // Pacific/Chatham 2025: 6 April 03:45 +13:45 -> 02:45 +12:45 at 14:00Z on the 5th; 28 September 02:45 +12:45 -> 03:45 +13:45 at 14:00Z on the 27th.
    [Fact]
    public void GetNextOccurrence_ChathamSpringForward_FortyFiveMinuteGap()
        => AssertChain("0 0 2-4 * * *", "Pacific/Chatham", "2025-09-27T12:00:00Z", "2025-09-27T13:15:00", "2025-09-27T14:00:00", "2025-09-27T14:15:00", "2025-09-28T12:15:00");

    [Fact]
    public void GetNextOccurrence_ChathamFallBack_FixedOnceIntervalTwice()
    {
        AssertChain("0 0 3 * * *", "Pacific/Chatham", "2025-04-05T12:00:00Z", "2025-04-05T13:15:00", "2025-04-06T14:15:00");
        AssertChain("0 0 * * * *", "Pacific/Chatham", "2025-04-05T12:30:00Z", "2025-04-05T13:15:00", "2025-04-05T14:15:00", "2025-04-05T15:15:00");
    }

    // America/Santiago 2025: 6 April 00:00 -03 -> 5 April 23:00 -04 at 03:00Z; 7 September 00:00 -04 -> 01:00 -03 at 04:00Z.
    [Fact]
    public void GetNextOccurrence_SantiagoFallBackAtMidnight_RepeatsTheDayBefore()
    {
        AssertChain("0 30 23 * * *", "America/Santiago", "2025-04-05T12:00:00Z", "2025-04-06T02:30:00", "2025-04-07T03:30:00");
        AssertChain("0 */30 23 * * *", "America/Santiago", "2025-04-05T12:00:00Z", "2025-04-06T02:00:00", "2025-04-06T02:30:00", "2025-04-06T03:00:00", "2025-04-06T03:30:00", "2025-04-07T03:00:00");
        AssertChain("0 0 0 * * *", "America/Santiago", "2025-04-05T12:00:00Z", "2025-04-06T04:00:00", "2025-04-07T04:00:00");
    }

    [Fact]
    public void GetNextOccurrence_SantiagoSpringForwardAtMidnight_SkippedMidnightFiresAtJump()
    {
        AssertChain("0 0 0 * * *", "America/Santiago", "2025-09-06T12:00:00Z", "2025-09-07T04:00:00", "2025-09-08T03:00:00");
        AssertChain("0 30 0 7 9 *", "America/Santiago", "2025-09-06T12:00:00Z", "2025-09-07T04:00:00", "2026-09-07T03:30:00");
        AssertChain("0 10 0 * * SUN", "America/Santiago", "2025-09-06T12:00:00Z", "2025-09-07T04:00:00", "2025-09-14T03:10:00");
    }

    // Asia/Kathmandu: 1 January 1986 00:00 +05:30 -> 00:15 +05:45 at 18:30Z on 31 December 1985.
    [Fact]
    public void GetNextOccurrence_Kathmandu1986_QuarterHourGapFiresAtJump()
    {
        AssertChain("0 5 0 * * *", "Asia/Kathmandu", "1985-12-31T12:00:00Z", "1985-12-31T18:30:00", "1986-01-01T18:20:00");
        AssertChain("0 */10 0 * * *", "Asia/Kathmandu", "1985-12-31T12:00:00Z", "1985-12-31T18:30:00", "1985-12-31T18:35:00", "1985-12-31T18:45:00", "1985-12-31T18:55:00", "1985-12-31T19:05:00", "1986-01-01T18:15:00");
    }

    [Fact]
    public void GetNextOccurrence_InclusiveAtJumpInstant_ReturnsTheJump()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var cron = CronExpression.Parse("30 2 * * *");
        var jump = new DateTimeOffset(2025, 3, 9, 7, 0, 0, TimeSpan.Zero);
        Assert.Equal(jump, cron.GetNextOccurrence(jump, zone, inclusive: true));
        Assert.Equal(TimeSpan.FromHours(-4), cron.GetNextOccurrence(jump, zone, inclusive: true)!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 6, 30, 0, TimeSpan.Zero), cron.GetNextOccurrence(jump, zone));
        Assert.Equal(jump, cron.GetPreviousOccurrence(jump, zone, inclusive: true));
        Assert.Equal(new DateTimeOffset(2025, 3, 8, 7, 30, 0, TimeSpan.Zero), cron.GetPreviousOccurrence(jump, zone));
        Assert.Equal(jump, cron.GetNextOccurrence(jump.AddTicks(-1), zone));
        Assert.Equal(new DateTimeOffset(2025, 3, 10, 6, 30, 0, TimeSpan.Zero), cron.GetNextOccurrence(jump.AddTicks(1), zone, inclusive: true));
    }

    [Fact]
    public void GetNextOccurrence_SecondPassOfFixedTime_IsNotAnOccurrenceEvenInclusive()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var cron = CronExpression.Parse("30 1 * * *");
        var secondPass = new DateTimeOffset(2025, 11, 2, 6, 30, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2025, 11, 3, 6, 30, 0, TimeSpan.Zero), cron.GetNextOccurrence(secondPass, zone, inclusive: true));
        Assert.Equal(new DateTimeOffset(2025, 11, 2, 5, 30, 0, TimeSpan.Zero), cron.GetPreviousOccurrence(secondPass, zone, inclusive: true));
    }

    [Fact]
    public void GetOccurrences_NewYorkFallBackDay_ListsBothPassesOfAnInterval()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var cron = CronExpression.Parse("0 * * * *");
        var from = new DateTimeOffset(2025, 11, 2, 0, 0, 0, TimeSpan.FromHours(-4));
        var to = new DateTimeOffset(2025, 11, 3, 0, 0, 0, TimeSpan.FromHours(-5));
        var list = cron.GetOccurrences(from, to, zone).ToList();
        Assert.Equal(25, list.Count);   // the day has 25 hours
        Assert.Equal(from, list[0]);
        Assert.Equal(TimeSpan.FromHours(-4), list[1].Offset);
        Assert.Equal(TimeSpan.FromHours(-5), list[2].Offset);
        Assert.Equal(1, list[1].DateTime.Hour);   // 01:00 EDT
        Assert.Equal(1, list[2].DateTime.Hour);   // 01:00 EST
    }
}
