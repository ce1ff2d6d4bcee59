using ChronoFlow.Files;

namespace ChronoFlow.Files.Tests;

/// <summary>Schedule.Parse and the job-file validator read schedule text by the same rules.</summary>
public class ReadScheduleTests
{
    [Theory]
    [InlineData("2025-09-20T02:00:00Z", true)]
    [InlineData("2025-09-20T04:00:00+02:00", true)]
    [InlineData("2025-09-20T04:00:00.250-03:30", true)]
    [InlineData("2025-09-20T02:00Z", true)]
    [InlineData("2025-09-20T02:00:00", false)]      // no offset: ambiguous
    [InlineData("2025-09-20", false)]
    [InlineData("2025-13-20T02:00:00Z", false)]
    public void Instant_ScheduleParseAndJobFiles_Agree(string text, bool valid)
    {
        var viaApi = Record.Exception(() => Schedule.Parse(text)) is null;
        var viaFiles = JobDefinition.ReadSchedule(text, null, CalendarSyntax.JobFile, out var schedule) is null;

        Assert.Equal(valid, viaApi);
        Assert.Equal(valid, viaFiles);
        if (valid)
        {
            Assert.Equal(Schedule.Parse(text).ToString(), schedule!.ToString());
        }
    }
}
