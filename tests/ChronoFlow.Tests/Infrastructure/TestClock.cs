using Microsoft.Extensions.Time.Testing;

namespace ChronoFlow.Tests.Infrastructure;

/// <summary>
/// A FakeTimeProvider whose wall clock can also jump backwards (FakeTimeProvider itself only moves forwards):
/// timers keep running on the underlying fake time, as real timers run on elapsed time.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public TestClock()
        : base(Epoch)
    {
    }

    public TimeSpan Skew { get; set; }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Skew;
}
