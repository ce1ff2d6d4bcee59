using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using ChronoFlow.Testing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Tests.Diagnostics;

public class TelemetryTests
{
    private const string JobId = "telemetry-job";

    [Fact]
    public async Task Run_Succeeds_LogsJobIdIsoTimeStatusAndDurationWithStableEventId()
    {
        var clock = new TestClock();
        var logs = new CapturingLoggerFactory();
        await using var s = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, clock, logs);
        s.AddOrUpdate(JobId, Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => default);
        s.AddOrUpdate("fails", Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => throw new InvalidOperationException("nope"));

        clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();

        var ok = Assert.Single(logs.Entries, e => e.EventId.Id == 100);
        Assert.Equal("RunSucceeded", ok.EventId.Name);
        Assert.Equal(LogLevel.Information, ok.Level);
        Assert.Contains(JobId, ok.Message, StringComparison.Ordinal);
        Assert.Contains("2030-01-01T00:01:00.0000000+00:00", ok.Message, StringComparison.Ordinal);
        Assert.Contains("SUCCESS", ok.Message, StringComparison.Ordinal);
        Assert.Contains(" ms", ok.Message, StringComparison.Ordinal);
        var bad = Assert.Single(logs.Entries, e => e.EventId.Id == 101);
        Assert.Contains("FAILURE", bad.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(bad.Exception);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 200 && e.Message.Contains("@every 00:01:00", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Ends_RecordsRunsDurationLatenessAndRunningOnTheChronoFlowMeter()
    {
        var measurements = new ConcurrentBag<(string Instrument, double Value, string? Outcome)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "ChronoFlow")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void OnMeasurement(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? job = null, outcome = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "chronoflow.job.id")
                {
                    job = tag.Value as string;
                }
                else if (tag.Key == "chronoflow.outcome")
                {
                    outcome = tag.Value as string;
                }
            }

            if (job == JobId)
            {
                measurements.Add((instrument.Name, value, outcome));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => OnMeasurement(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => OnMeasurement(i, v, t));
        listener.Start();
        var clock = new TestClock();
        await using var s = SchedulerTestExtensions.CreateSoft(clock);
        s.AddOrUpdate(JobId, Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => default,
            new JobOptions { Misfire = MisfirePolicy.Skip, MisfireGracePeriod = TimeSpan.FromSeconds(10) });

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(5));
        await s.PumpAndWaitAsync();
        clock.Advance(TimeSpan.FromMinutes(2));
        await s.PumpAndWaitAsync();

        var m = measurements.ToList();
        Assert.Contains(m, x => x.Instrument == "chronoflow.job.runs" && x.Outcome == "succeeded" && x.Value == 1);
        Assert.Contains(m, x => x.Instrument == "chronoflow.job.runs" && x.Outcome == "missed" && x.Value == 1);
        Assert.Contains(m, x => x.Instrument == "chronoflow.job.duration" && x.Outcome == "succeeded");
        Assert.Contains(m, x => x.Instrument == "chronoflow.job.lateness" && x.Value == 5);
        Assert.Equal(0, m.Where(x => x.Instrument == "chronoflow.job.running").Sum(x => x.Value));
        Assert.Contains(m, x => x.Instrument == "chronoflow.job.running" && x.Value == 1);
    }

    [Fact]
    public async Task Run_WithListener_StartsOneChronoFlowActivityPerRun()
    {
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "ChronoFlow",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if ((a.GetTagItem("chronoflow.job.id") as string) == JobId)
                {
                    activities.Add(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var clock = new TestClock();
        await using var s = SchedulerTestExtensions.CreateSoft(clock);
        s.AddOrUpdate(JobId, Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => throw new InvalidOperationException("x"));

        clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();

        var activity = Assert.Single(activities);
        Assert.Equal("chronoflow.job.run", activity.OperationName);
        Assert.Equal("failed", activity.GetTagItem("chronoflow.outcome"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task Listener_Throws_IsLoggedAndTheRunStillCounts()
    {
        var clock = new TestClock();
        await using var s = SchedulerTestExtensions.CreateSoft(clock, configure: o => o.EventListeners.Add(new ThrowingListener()));
        s.AddOrUpdate(JobId, Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => default);

        clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();

        Assert.Equal(1, s.GetJob(JobId)!.SuccessCount);
    }

    private sealed class ThrowingListener : IJobEventListener
    {
        public void OnEvent(in JobEvent jobEvent) => throw new InvalidOperationException("listener bug");
    }
}
