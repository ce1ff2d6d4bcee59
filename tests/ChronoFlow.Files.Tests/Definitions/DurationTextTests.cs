using ChronoFlow.Files;
using ChronoFlow.Testing;
using ChronoFlow.Text;

namespace ChronoFlow.Files.Tests;

public class DurationTextTests
{
    [Theory]
    [InlineData("00:10:00", 600)]
    [InlineData("1.00:00:00", 86400)]
    [InlineData("PT10M", 600)]
    [InlineData("PT1.5S", 1.5)]
    [InlineData("P1DT2H", 93600)]
    [InlineData("P2W", 1209600)]
    [InlineData("pt30s", 30)]
    public void TryParse_Valid_GivesValue(string text, double seconds)
    {
        Assert.Null(DurationText.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromSeconds(seconds), value);
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("P1Y")]
    [InlineData("PT1M1H")]
    [InlineData("P1H")]
    [InlineData("10")]
    [InlineData("")]
    public void TryParse_Invalid_GivesReason(string text)
    {
        Assert.NotNull(DurationText.TryParse(text, out _));
    }
}
