using System.Reflection;
using System.Runtime.CompilerServices;

namespace ChronoFlow.Tests.Cron;

/// <summary>
/// The parser fills a <c>CronFieldsBuilder</c> and reinterprets it as a <see cref="CronExpression"/>
/// (<c>Unsafe.As</c>); that is only sound while both have the same fields, of the same types, in the same order.
/// </summary>
public class CronExpressionLayoutTests
{
    [Fact]
    public void FieldsBuilder_MirrorsExpressionLayout()
    {
        var expression = typeof(CronExpression).GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);
        var builder = typeof(CronExpression).Assembly.GetType("ChronoFlow.CronFieldsBuilder", throwOnError: true)!
            .GetFields(BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

        Assert.Equal(
            expression.Select(f => (f.Name, f.FieldType)).ToArray(),
            builder.Select(f => (f.Name, f.FieldType)).ToArray());
        Assert.Equal(Unsafe.SizeOf<CronExpression>(), (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!
            .MakeGenericMethod(typeof(CronExpression).Assembly.GetType("ChronoFlow.CronFieldsBuilder")!).Invoke(null, null)!);
    }

    [Fact]
    public void Parse_ValueSurvivesReinterpretation()
    {
        var e = CronExpression.Parse("5-10/2 3 L,15W JAN-MAR 5#3 2030", CronFormat.IncludeYear);

        // 5-10/2 is an interval expression, so its canonical text keeps a range: 5-5,7,9.
        Assert.Equal("5-5,7,9 3 L,15W 1-3 5#3 2030", e.ToString());
        Assert.False(e.IsFixedTime);
        Assert.Equal(new DateTime(2030, 1, 15, 3, 5, 0, DateTimeKind.Utc), e.GetNextOccurrence(new DateTime(2029, 12, 31, 0, 0, 0, DateTimeKind.Utc)));
    }
}
