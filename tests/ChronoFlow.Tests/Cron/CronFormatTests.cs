namespace ChronoFlow.Tests.Cron;

public class CronFormatTests
{
    [Fact]
    public void Flags_Combine_SecondsAndYear()
    {
        var format = CronFormat.IncludeSeconds | CronFormat.IncludeYear;
        Assert.True(format.HasFlag(CronFormat.IncludeSeconds));
        Assert.True(format.HasFlag(CronFormat.IncludeYear));
        Assert.False(format.HasFlag(CronFormat.IntersectDays));
        Assert.Equal(5, (int)format);
    }
}
