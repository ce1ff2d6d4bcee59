namespace ChronoFlow.Tests.Policies;

public class DuePolicyTests
{
    private static readonly long Minute = TimeSpan.FromMinutes(1).Ticks;
    private static readonly long T0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks;
    private static readonly Schedule EveryMinute = Schedule.Cron("* * * * *");

    private static JobOptions Options(MisfirePolicy misfire, int graceMinutes = 1, OverlapPolicy overlap = OverlapPolicy.Skip)
        => new() { Misfire = misfire, MisfireGracePeriod = TimeSpan.FromMinutes(graceMinutes), Overlap = overlap };

    [Fact]
    public void Decide_CursorInTheFuture_Waits()
    {
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunOnce), T0 + Minute, 0, T0);
        Assert.Equal(DueAction.Wait, d.Action);
    }

    [Fact]
    public void Decide_OneOccurrenceDue_StartsItAndMovesToTheNext()
    {
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunOnce), T0, 0, T0);
        Assert.Equal((DueAction.Start, T0, 0L, T0 + Minute), (d.Action, d.Scheduled, d.Count, d.NextCursor));
    }

    [Fact]
    public void Decide_RunOnceWithTwoDueWithinGrace_StartsOneAndCoalescesTheOther()
    {
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunOnce, graceMinutes: 5), T0, 0, T0 + Minute);
        Assert.Equal((DueAction.Start, T0, 1L, T0 + (2 * Minute), SkipReason.Coalesced), (d.Action, d.Scheduled, d.Count, d.NextCursor, d.CountedAs));
    }

    [Fact]
    public void Decide_RunAllWithTwoDueWithinGrace_StartsEachInTurn()
    {
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunAll, graceMinutes: 5), T0, 0, T0 + Minute);
        Assert.Equal((DueAction.Start, T0, 0L, T0 + Minute), (d.Action, d.Scheduled, d.Count, d.NextCursor));
    }

    [Fact]
    public void Decide_SkipPastGrace_DropsTheLateOnesAndKeepsThoseWithinGrace()
    {
        // Due at T0..T0+10; grace 2 minutes: T0..T0+7 are late (8 occurrences), T0+8 may still run.
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.Skip, graceMinutes: 2), T0, 0, T0 + (10 * Minute));
        Assert.Equal((DueAction.Miss, 8L, T0 + (8 * Minute)), (d.Action, d.Count, d.NextCursor));
    }

    [Fact]
    public void Decide_RunOncePastGrace_StartsOneForAllAndCountsThemMissed()
    {
        var d = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunOnce, graceMinutes: 2), T0, 0, T0 + (10 * Minute));
        Assert.Equal((DueAction.Start, T0, 8L, T0 + (11 * Minute), SkipReason.Misfired), (d.Action, d.Scheduled, d.Count, d.NextCursor, d.CountedAs));
    }

    [Fact]
    public void Decide_AtTheConcurrencyLimit_SkipsAsBusyOrParks()
    {
        var skip = DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunOnce), T0, 1, T0 + Minute);
        Assert.Equal((DueAction.SkipBusy, 2L, T0 + (2 * Minute)), (skip.Action, skip.Count, skip.NextCursor));

        Assert.Equal(DueAction.Park, DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.RunAll), T0, 1, T0).Action);
        Assert.Equal(DueAction.Park, DuePolicy.Decide(EveryMinute, Options(MisfirePolicy.Skip, overlap: OverlapPolicy.Wait), T0, 1, T0).Action);
    }

    [Theory]
    [InlineData(MisfirePolicy.Skip, false, 5, true)]
    [InlineData(MisfirePolicy.Skip, false, 1, false)]
    [InlineData(MisfirePolicy.Skip, true, 5, false)]
    [InlineData(MisfirePolicy.RunOnce, false, 5, false)]
    [InlineData(MisfirePolicy.RunAll, false, 5, false)]
    public void MayMisfireInQueueAndIsPastGrace_DropOnlyLateScheduledRunsUnderSkip(MisfirePolicy misfire, bool manual, int waitedMinutes, bool dropped)
    {
        var options = Options(misfire, graceMinutes: 2);
        Assert.Equal(dropped, DuePolicy.MayMisfireInQueue(EveryMinute, options, manual) && DuePolicy.IsPastGrace(options, T0, T0 + (waitedMinutes * Minute)));
    }

    [Fact]
    public void MayMisfireInQueue_StartupJob_Never()
        => Assert.False(DuePolicy.MayMisfireInQueue(Schedule.Startup, Options(MisfirePolicy.Skip), manual: false));
}
