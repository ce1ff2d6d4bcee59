using System.Diagnostics;
using System.Globalization;
using ChronoFlow.Tests.Cron.Reference;

namespace ChronoFlow.Tests.Cron;

/// <summary>Hand-computed UTC cases for every part of the dialect, checked against the engine and the reference.</summary>
public class CronExpressionTests
{
    private static DateTime Utc(string text) => DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture), DateTimeKind.Utc);

    /// <summary>The chain of next occurrences (UTC) from <paramref name="from"/>, exclusive, equals <paramref name="expected"/>.</summary>
    private static void AssertNext(string expression, CronFormat format, string from, params string[] expected)
    {
        var want = expected.Select(Utc).ToList();
        var reference = ReferenceCron.Parse(expression, format);
        var engine = CronExpression.Parse(expression, format);
        DateTime? r = Utc(from), e = Utc(from);
        var referenceChain = new List<DateTime?>();
        var engineChain = new List<DateTime?>();
        foreach (var _ in want)
        {
            r = reference.Next(r!.Value);
            referenceChain.Add(r);
            if (r is null)
            {
                break;
            }
        }

        Assert.Equal(want.Cast<DateTime?>(), referenceChain);   // the hand arithmetic agrees with the reference
        foreach (var _ in want)
        {
            e = engine.GetNextOccurrence(e!.Value);
            engineChain.Add(e);
            if (e is null)
            {
                break;
            }
        }

        Assert.Equal(want.Cast<DateTime?>(), engineChain);
        Assert.All(engineChain, x => Assert.Equal(DateTimeKind.Utc, x!.Value.Kind));
    }

    private static void AssertNext(string expression, string from, params string[] expected) => AssertNext(expression, CronFormat.Standard, from, expected);

    // 2025-01-01 is a Wednesday.
    [Fact]
    public void GetNextOccurrence_EveryMinute_NextMinute()
        => AssertNext("* * * * *", "2025-01-01T00:00:30", "2025-01-01T00:01:00", "2025-01-01T00:02:00");

    [Fact]
    public void GetNextOccurrence_TwentyNinthOfFebruary_LeapYearsOnly()
        => AssertNext("0 0 29 2 *", "2025-01-01", "2028-02-29", "2032-02-29");

    [Fact]
    public void GetNextOccurrence_LastDay_EndOfEachMonth()
        => AssertNext("0 0 L * *", "2024-01-31T12:00", "2024-02-29", "2024-03-31", "2024-04-30");

    [Fact]
    public void GetNextOccurrence_LastDayMinusThree()
        => AssertNext("0 0 L-3 * *", "2025-02-01", "2025-02-25", "2025-03-28", "2025-04-27");

    [Fact]
    public void GetNextOccurrence_LastDayMinusThirty_OnlyInThirtyOneDayMonths()
        => AssertNext("0 0 L-30 * *", "2025-01-02", "2025-03-01", "2025-05-01", "2025-07-01");

    [Theory]
    [InlineData("2025-01-01", "2025-01-15")]   // Wednesday 15th
    [InlineData("2025-03-01", "2025-03-14")]   // Saturday 15th -> Friday 14th
    [InlineData("2025-06-01", "2025-06-16")]   // Sunday 15th -> Monday 16th
    public void GetNextOccurrence_NearestWeekday_MovesOffWeekends(string from, string expected)
        => AssertNext("0 0 15W * *", from, expected);

    [Fact]
    public void GetNextOccurrence_FirstWeekdayOnSaturday_IsMondayThird()
        => AssertNext("0 0 1W * *", "2025-01-31", "2025-02-03", "2025-03-03");   // 1 Feb 2025 is a Saturday; 1 Mar too

    [Fact]
    public void GetNextOccurrence_ThirtyFirstWeekday_NeverInApril()
        => AssertNext("0 0 31W * *", "2025-03-31T12:00", "2025-05-30", "2025-07-31");   // 31 May is a Saturday

    [Fact]
    public void GetNextOccurrence_ThirtyFirstWeekdayOnSunday_IsFridayBefore()
        => AssertNext("0 0 31W * *", "2025-08-01", "2025-08-29");   // 31 August 2025 is a Sunday

    [Fact]
    public void GetNextOccurrence_LastWeekday()
        => AssertNext("0 0 LW * *", "2025-08-01", "2025-08-29", "2025-09-30", "2025-10-31", "2025-11-28");

    [Fact]
    public void GetNextOccurrence_LastDayMinusTwoWeekday()
        => AssertNext("0 0 L-2W * *", "2025-05-01", "2025-05-29", "2025-06-27");   // 28 June 2025 is a Saturday

    [Fact]
    public void GetNextOccurrence_LastFriday()
        => AssertNext("0 0 * * 5L", "2025-01-01", "2025-01-31", "2025-02-28", "2025-03-28");

    [Fact]
    public void GetNextOccurrence_ThirdFriday()
        => AssertNext("0 0 * * 5#3", "2025-01-01", "2025-01-17", "2025-02-21", "2025-03-21");

    [Fact]
    public void GetNextOccurrence_FifthMonday_SkipsMonthsWithFour()
        => AssertNext("0 0 * * 1#5", "2025-01-01", "2025-03-31", "2025-06-30", "2025-09-29");

    [Fact]
    public void GetNextOccurrence_FifteenthAndLast_InOneList()
        => AssertNext("0 0 15,L * *", "2025-02-01", "2025-02-15", "2025-02-28", "2025-03-15", "2025-03-31");

    [Fact]
    public void GetNextOccurrence_TwoNthWeekdays_InOneList()
        => AssertNext("0 0 * * 1#1,3#3", "2025-01-01", "2025-01-06", "2025-01-15", "2025-02-03", "2025-02-19");

    [Fact]
    public void GetNextOccurrence_SpecialsAcceptNamesAndSeven()
    {
        AssertNext("0 0 * * FRI#3", "2025-01-01", "2025-01-17");
        AssertNext("0 0 * * 7L", "2025-01-01", "2025-01-26");
        AssertNext("0 0 * * 7#1", "2025-01-01", "2025-01-05");
    }

    [Fact]
    public void GetNextOccurrence_NamesAnyCaseAndSevenIsSunday()
    {
        AssertNext("0 0 * * SUN", "2025-01-01", "2025-01-05", "2025-01-12");
        AssertNext("0 0 * * 7", "2025-01-01", "2025-01-05", "2025-01-12");
        AssertNext("0 0 * * sun", "2025-01-01", "2025-01-05");
        AssertNext("0 0 1 feb,Mar *", "2025-01-01", "2025-02-01", "2025-03-01", "2026-02-01");
        AssertNext("0 12 * * Mon-FRI", "2025-01-03T13:00", "2025-01-06T12:00", "2025-01-07T12:00");
        Assert.Equal(CronExpression.Parse("0 0 * * 0"), CronExpression.Parse("0 0 * * 7"));
        Assert.Equal(CronExpression.Parse("0 0 * * 0-6"), CronExpression.Parse("0 0 * * 1-7"));
    }

    [Fact]
    public void GetNextOccurrence_WrappingRanges()
    {
        AssertNext("0 22-2 * * *", "2025-01-01T03:00", "2025-01-01T22:00", "2025-01-01T23:00", "2025-01-02T00:00", "2025-01-02T01:00", "2025-01-02T02:00", "2025-01-02T22:00");
        AssertNext("0 22-2/2 * * *", "2025-01-01T03:00", "2025-01-01T22:00", "2025-01-02T00:00", "2025-01-02T02:00", "2025-01-02T22:00");
        AssertNext("0 0 * * FRI-MON", "2025-01-07", "2025-01-10", "2025-01-11", "2025-01-12", "2025-01-13", "2025-01-17");
        AssertNext("0 0 * * 5-1/2", "2025-01-07", "2025-01-10", "2025-01-12", "2025-01-17");
        AssertNext("0 0 1 NOV-FEB *", "2025-03-01", "2025-11-01", "2025-12-01", "2026-01-01", "2026-02-01", "2026-11-01");
        AssertNext("0 0 30-2 * *", "2025-02-01", "2025-02-02", "2025-03-01", "2025-03-02", "2025-03-30", "2025-03-31", "2025-04-01");
    }

    [Fact]
    public void GetNextOccurrence_StepFromValue_RunsToFieldMaximum()
    {
        AssertNext("0 0 * * 1/2", "2025-01-04", "2025-01-05", "2025-01-06", "2025-01-08");   // 1/2 is Mon, Wed, Fri and Sunday (7)
        AssertNext("50/5 * * * *", "2025-01-01T00:00", "2025-01-01T00:50", "2025-01-01T00:55", "2025-01-01T01:50");
        AssertNext("0 0 */10 * *", "2025-01-01", "2025-01-11", "2025-01-21", "2025-01-31", "2025-02-01");
    }

    [Fact]
    public void GetNextOccurrence_DayFields_EitherMatchesUnlessIntersect()
    {
        AssertNext("0 0 13 * 5", "2025-01-01", "2025-01-03", "2025-01-10", "2025-01-13", "2025-01-17");
        AssertNext("0 0 13 * 5", CronFormat.IntersectDays, "2025-01-01", "2025-06-13", "2026-02-13");
        AssertNext("0 0 */2 * 5", "2025-01-01", "2025-01-03", "2025-01-17");   // starts with *: both must match
        AssertNext("0 0 ? * 5", "2025-01-01", "2025-01-03", "2025-01-10");
        AssertNext("0 0 13 * ?", "2025-01-01", "2025-01-13", "2025-02-13");
    }

    [Fact]
    public void GetNextOccurrence_Seconds()
    {
        AssertNext("*/15 * * * * *", CronFormat.IncludeSeconds, "2025-01-01T00:00:00", "2025-01-01T00:00:15", "2025-01-01T00:00:30");
        AssertNext("59 59 23 31 12 *", CronFormat.IncludeSeconds, "2025-06-01", "2025-12-31T23:59:59", "2026-12-31T23:59:59");
    }

    [Fact]
    public void GetNextOccurrence_YearField()
    {
        AssertNext("0 0 0 1 1 * 2030", CronFormat.IncludeSeconds | CronFormat.IncludeYear, "2025-06-01", "2030-01-01");
        Assert.Null(CronExpression.Parse("0 0 0 1 1 * 2030", CronFormat.IncludeSeconds | CronFormat.IncludeYear).GetNextOccurrence(Utc("2030-01-01")));
        AssertNext("0 0 1 1 * */10", CronFormat.IncludeYear, "2025-06-01", "2030-01-01", "2040-01-01");
        AssertNext("0 0 1 1 * 2095/2", CronFormat.IncludeYear, "2025-06-01", "2095-01-01", "2097-01-01", "2099-01-01");
        Assert.Null(CronExpression.Parse("0 0 1 1 * */10", CronFormat.IncludeYear).GetNextOccurrence(Utc("2090-06-01")));
        AssertNext("0 0 1 1 * *", CronFormat.IncludeYear, "2099-06-01", "2100-01-01", "2101-01-01");   // * has no end
        AssertNext("0 0 29 2 * 2025-2030", CronFormat.IncludeYear | CronFormat.IntersectDays, "2020-01-01", "2028-02-29");
    }

    [Theory]
    [InlineData("*,2083")]
    [InlineData("2083,*")]
    [InlineData("*,*")]
    [InlineData("*,2015-2018/11")]
    public void GetNextOccurrence_YearStarInList_HasNoEnd(string years)
    {
        // The dialect (README): a year * means every year, with no end, and * may stand inside a list; a list is the union of its items.
        AssertNext("0 0 1 1 * " + years, CronFormat.IncludeYear, "2099-06-01", "2100-01-01", "2101-01-01");
        Assert.Equal(CronExpression.Parse("0 0 1 1 * *", CronFormat.IncludeYear), CronExpression.Parse("0 0 1 1 * " + years, CronFormat.IncludeYear));
    }

    [Theory]
    [InlineData("@yearly", "2026-01-01")]
    [InlineData("@annually", "2026-01-01")]
    [InlineData("@monthly", "2025-07-01")]
    [InlineData("@weekly", "2025-06-15")]   // Sunday
    [InlineData("@daily", "2025-06-12")]
    [InlineData("@midnight", "2025-06-12")]
    [InlineData("@hourly", "2025-06-11T13:00")]
    [InlineData("@every_minute", "2025-06-11T12:31")]
    [InlineData("@EVERY_SECOND", "2025-06-11T12:30:01")]
    [InlineData("  @Daily\t", "2025-06-12")]
    public void GetNextOccurrence_Macros_InEveryFormat(string macro, string expected)
    {
        foreach (var format in new[] { CronFormat.Standard, CronFormat.IncludeSeconds, CronFormat.IncludeYear, CronFormat.IntersectDays | CronFormat.IncludeSeconds | CronFormat.IncludeYear })
        {
            AssertNext(macro, format, "2025-06-11T12:30:00", expected);
        }
    }

    [Fact]
    public void Parse_MacrosEqualTheirExpansions()
    {
        Assert.Equal(CronExpression.Parse("0 0 1 1 *"), CronExpression.Parse("@yearly"));
        Assert.Equal(CronExpression.Parse("0 * * * *"), CronExpression.Parse("@hourly"));
        Assert.Equal(CronExpression.Parse("* * * * * *", CronFormat.IncludeSeconds), CronExpression.Parse("@every_second"));
        Assert.Equal(CronExpression.Parse("0 0 * * * *", CronFormat.IncludeYear), CronExpression.Parse("@daily", CronFormat.IncludeYear));
        Assert.Equal(CronExpression.Parse("0 0 0 1 1 * *", (CronFormat)7), CronExpression.Parse("@annually", (CronFormat)7));
        Assert.False(CronExpression.Parse("@hourly").IsFixedTime);
        Assert.True(CronExpression.Parse("@daily").IsFixedTime);
    }

    [Theory]
    [InlineData("0 0 30 2 *", CronFormat.Standard)]
    [InlineData("0 0 31 4,6,9,11 *", CronFormat.Standard)]
    [InlineData("* * 1-21 * 0L", CronFormat.IntersectDays)]
    [InlineData("0 0 31W 2 *", CronFormat.Standard)]
    [InlineData("0 0 L-30 2 *", CronFormat.Standard)]
    [InlineData("0 0 0 1 1 * 1999", CronFormat.IncludeSeconds | CronFormat.IncludeYear)]
    [InlineData("0 0 29 2 * 2100", CronFormat.IncludeYear)]
    public void GetNextOccurrence_NeverFires_NullQuickly(string expression, CronFormat format)
    {
        if (!format.HasFlag(CronFormat.IncludeYear) || !expression.EndsWith("2100", StringComparison.Ordinal))
        {
            Assert.Null(ReferenceCron.Parse(expression, format).Next(Utc("2025-01-01")));
        }

        if (expression.EndsWith("2100", StringComparison.Ordinal))
        {
            Assert.False(CronExpression.TryParse(expression, format, out _));   // 2100 is out of range
            return;
        }

        var cron = CronExpression.Parse(expression, format);
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var from = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        Assert.Null(cron.GetNextOccurrence(Utc("2025-01-01")));
        Assert.Null(cron.GetNextOccurrence(from, zone));
        Assert.Empty(cron.GetOccurrences(Utc("2025-01-01"), Utc("2525-01-01")));

        // "Never" answers in microseconds: each call under 1 ms, re-timed up to three times on this loaded machine.
        AssertFast(() => cron.GetNextOccurrence(Utc("2025-01-01")), expression);
        AssertFast(() => cron.GetNextOccurrence(from, zone), expression);
        AssertFast(() => cron.GetPreviousOccurrence(from, zone), expression);
        if (!expression.EndsWith("1999", StringComparison.Ordinal))
        {
            Assert.Null(cron.GetPreviousOccurrence(Utc("2025-01-01")));
        }
    }

    private static void AssertFast(Func<object?> call, string expression)
    {
        call();   // warm up
        var best = TimeSpan.MaxValue;
        for (var attempt = 0; attempt < 4 && best >= TimeSpan.FromMilliseconds(1); attempt++)
        {
            var watch = Stopwatch.StartNew();
            call();
            watch.Stop();
            best = watch.Elapsed < best ? watch.Elapsed : best;
        }

        Assert.True(best < TimeSpan.FromMilliseconds(1), $"'{expression}' took {best.TotalMilliseconds:F3} ms at best to say never");
    }

    [Fact]
    public void GetNextOccurrence_DefaultValue_NeverFires()
    {
        var none = default(CronExpression);
        Assert.Null(none.GetNextOccurrence(Utc("2025-01-01")));
        Assert.Null(none.GetPreviousOccurrence(Utc("2025-01-01")));
        Assert.Equal(string.Empty, none.ToString());
    }

    [Fact]
    public void GetNextOccurrence_NotUtc_Throws()
    {
        var cron = CronExpression.Parse("* * * * *");
        Assert.Throws<ArgumentException>(() => cron.GetNextOccurrence(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Local)));
        Assert.Throws<ArgumentException>(() => cron.GetPreviousOccurrence(new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)));
        Assert.Throws<ArgumentNullException>(() => cron.GetNextOccurrence(DateTimeOffset.UnixEpoch, null!));
    }

    [Fact]
    public void GetNextOccurrence_Inclusive_CountsFrom()
    {
        var cron = CronExpression.Parse("0 12 * * *");
        Assert.Equal(Utc("2025-01-01T12:00"), cron.GetNextOccurrence(Utc("2025-01-01T12:00"), inclusive: true));
        Assert.Equal(Utc("2025-01-02T12:00"), cron.GetNextOccurrence(Utc("2025-01-01T12:00")));
        Assert.Equal(Utc("2025-01-01T12:00"), cron.GetPreviousOccurrence(Utc("2025-01-01T12:00"), inclusive: true));
        Assert.Equal(Utc("2024-12-31T12:00"), cron.GetPreviousOccurrence(Utc("2025-01-01T12:00")));
        Assert.Equal(Utc("2025-01-02T12:00"), cron.GetNextOccurrence(Utc("2025-01-01T12:00").AddTicks(1), inclusive: true));
        Assert.Equal(Utc("2025-01-01T12:00"), cron.GetPreviousOccurrence(Utc("2025-01-01T12:00").AddTicks(1)));
    }

    [Fact]
    public void GetNextOccurrence_ZoneResult_CarriesZoneOffset()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Kathmandu");
        var next = CronExpression.Parse("0 9 * * *").GetNextOccurrence(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero), zone);
        Assert.Equal(new DateTimeOffset(2025, 1, 1, 9, 0, 0, new TimeSpan(5, 45, 0)), next);
        Assert.Equal(new TimeSpan(5, 45, 0), next!.Value.Offset);
    }

    [Fact]
    public void GetNextOccurrence_PastYear9999_Null()
    {
        Assert.Null(CronExpression.Parse("0 0 1 1 *").GetNextOccurrence(new DateTime(9999, 6, 1, 0, 0, 0, DateTimeKind.Utc)));
        Assert.Equal(new DateTime(9999, 12, 1, 0, 0, 0, DateTimeKind.Utc), CronExpression.Parse("0 0 1 * *").GetNextOccurrence(new DateTime(9999, 11, 15, 0, 0, 0, DateTimeKind.Utc)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // H
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Parse_H_SameSeedSameValue()
    {
        var a = CronExpression.Parse("H H * * *", CronFormat.Standard, "job-42");
        var b = CronExpression.Parse("H H * * *", CronFormat.Standard, "job-42");
        Assert.Equal(a, b);
        Assert.Equal(a.ToString(), b.ToString());
        Assert.Equal(a.GetNextOccurrence(Utc("2025-01-01")), b.GetNextOccurrence(Utc("2025-01-01")));
    }

    [Fact]
    public void Parse_H_DifferentSeedsSpreadWithinRange()
    {
        var minutes = new HashSet<int>();
        var hours = new HashSet<int>();
        for (var i = 0; i < 200; i++)
        {
            var cron = CronExpression.Parse("H H * * *", CronFormat.Standard, $"job-{i}");
            var next = cron.GetNextOccurrence(Utc("2025-01-01"))!.Value;
            Assert.Equal(0, next.Second);
            Assert.Equal(Utc("2025-01-01").Date, next.Date);   // one firing a day, so the first is on the first day
            minutes.Add(next.Minute);
            hours.Add(next.Hour);
            Assert.Equal(next.AddDays(1), cron.GetNextOccurrence(next));
        }

        Assert.True(minutes.Count >= 40, $"200 seeds gave only {minutes.Count} distinct minutes");
        Assert.True(hours.Count >= 15, $"200 seeds gave only {hours.Count} distinct hours");

        var days = new HashSet<int>();
        for (var i = 0; i < 100; i++)
        {
            var next = CronExpression.Parse("0 0 H * *", CronFormat.Standard, $"job-{i}").GetNextOccurrence(Utc("2025-01-01"))!.Value;
            Assert.InRange(next.Day, 1, 31);
            days.Add(next.Day);
        }

        Assert.True(days.Count >= 10, $"100 seeds gave only {days.Count} distinct days");
    }

    [Fact]
    public void ToString_H_ShowsResolvedValue()
    {
        var cron = CronExpression.Parse("H H * * *", CronFormat.Standard, "job-7");
        var text = cron.ToString();
        Assert.DoesNotContain("H", text, StringComparison.Ordinal);
        Assert.Equal(cron, CronExpression.Parse(text));
        var next = cron.GetNextOccurrence(Utc("2025-01-01"))!.Value;
        Assert.Equal($"{next.Minute} {next.Hour} * * *", text);
    }

    [Fact]
    public void Parse_H_InSecondsAndWeekday()
    {
        var cron = CronExpression.Parse("H 0 0 * * H", CronFormat.IncludeSeconds, "seed");
        var next = cron.GetNextOccurrence(Utc("2025-01-01"))!.Value;
        Assert.InRange(next.Second, 0, 59);
        Assert.Equal(next.AddDays(7), cron.GetNextOccurrence(next));
        Assert.True(CronExpression.TryParse("H * * * *", CronFormat.Standard, "x", out var viaTry));
        Assert.Equal(CronExpression.Parse("H * * * *", CronFormat.Standard, "x"), viaTry);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Values
    // ---------------------------------------------------------------------------------------------------------

    [Fact]
    public void Equals_SameMeaningDifferentText()
    {
        Assert.Equal(CronExpression.Parse("0 0 * * 1-5"), CronExpression.Parse("00 0 * * MON-FRI"));
        Assert.Equal(CronExpression.Parse("*/15 * * * *"), CronExpression.Parse("0,15,30,45 * * * *"));
        Assert.Equal(CronExpression.Parse("0 0 1 JAN *"), CronExpression.Parse("0 0 1 1 *"));
        Assert.NotEqual(CronExpression.Parse("0 0 * * *"), CronExpression.Parse("0 1 * * *"));
        Assert.NotEqual(CronExpression.Parse("0 0 1 * 1"), CronExpression.Parse("0 0 1 * 1", CronFormat.IntersectDays));

        // Same firing times in UTC, different rules in a repeated hour: not equal.
        Assert.NotEqual(CronExpression.Parse("0,30 1 * * *"), CronExpression.Parse("*/30 1 * * *"));
    }

    [Fact]
    public void Equals_SameMeaningAcrossFormats()
    {
        Assert.Equal(CronExpression.Parse("0 0 * * *"), CronExpression.Parse("0 0 0 * * *", CronFormat.IncludeSeconds));

        // No year field and a year field of * both mean every year, with no end.
        Assert.Equal(CronExpression.Parse("0 0 * * *"), CronExpression.Parse("0 0 * * * *", CronFormat.IncludeYear));
        Assert.Equal(CronExpression.Parse("0 0 * * *").GetHashCode(), CronExpression.Parse("0 0 * * * *", CronFormat.IncludeYear).GetHashCode());
    }

    [Fact]
    public void Parse_SpanAndStringOverloads_Agree()
    {
        var text = "  5  4 * * SUN ";
        Assert.Equal(CronExpression.Parse(text), CronExpression.Parse(text.AsSpan()));
        Assert.True(CronExpression.TryParse(text, CronFormat.Standard, out var viaTry));
        Assert.Equal(CronExpression.Parse(text), viaTry);
        Assert.Throws<ArgumentNullException>(() => CronExpression.Parse((string)null!));
    }
}
