namespace ChronoFlow.Tests.Timeline;

public class TimelineTests
{
    private sealed class Node(string name) : TimelineNode
    {
        public string Name { get; } = name;
    }

    [Fact]
    public void TryTakeDue_GivesNodesInDueOrderAndOnlyThoseDue()
    {
        var t = new Timeline<Node>();
        var (a, b, c) = (new Node("a"), new Node("b"), new Node("c"));
        t.Insert(c, 30);
        t.Insert(a, 10);
        t.Insert(b, 20);

        Assert.Equal(10, t.PeekDue());
        Assert.Equal(["a", "b"], TakeAll(t, 25));
        Assert.Equal(30, t.PeekDue());
        Assert.True(c.InTimeline);
        Assert.False(a.InTimeline);
    }

    [Fact]
    public void Insert_AgainMovesTheNode_TheOldPositionIsSkipped()
    {
        var t = new Timeline<Node>();
        var a = new Node("a");
        t.Insert(a, 10);
        t.Insert(a, 50);

        Assert.Equal(50, t.PeekDue());
        Assert.Empty(TakeAll(t, 40));
        Assert.Equal(["a"], TakeAll(t, 50));
        Assert.Equal(long.MaxValue, t.PeekDue());
        Assert.Equal(0, t.LiveCount);
    }

    [Fact]
    public void Remove_TakesTheNodeOff()
    {
        var t = new Timeline<Node>();
        var (a, b) = (new Node("a"), new Node("b"));
        t.Insert(a, 10);
        t.Insert(b, 20);
        t.Remove(a);

        Assert.Equal(20, t.PeekDue());
        Assert.Equal(["b"], TakeAll(t, 100));
    }

    [Fact]
    public void Insert_ManyMovesOfFewNodes_CompactsStalePositions()
    {
        var t = new Timeline<Node>();
        var nodes = Enumerable.Range(0, 10).Select(i => new Node("n" + i)).ToArray();
        for (var round = 0; round < 1_000; round++)
        {
            foreach (var n in nodes)
            {
                t.Insert(n, 1_000_000 - round);
            }
        }

        Assert.Equal(10, t.LiveCount);
        Assert.True(t.PositionCount <= 4 * 1024 + 10, $"{t.PositionCount} positions held for 10 live nodes");
        Assert.Equal(10, TakeAll(t, long.MaxValue - 1).Count);
    }

    private static List<string> TakeAll(Timeline<Node> t, long now)
    {
        var names = new List<string>();
        while (t.TryTakeDue(now, out var n))
        {
            names.Add(n.Name);
        }

        return names;
    }
}
