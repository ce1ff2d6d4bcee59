using ChronoFlow.Definitions;

namespace ChronoFlow.Tests.Definitions;

public class CommandLineSplitterTests
{
    public static TheoryData<string, string[]> Cases => new()
    {
        { "/bin/echo hello world", ["/bin/echo", "hello", "world"] },
        { "  a \t b  ", ["a", "b"] },
        { "echo 'a b' c", ["echo", "a b", "c"] },
        { "echo 'it\\'s'x'", ["echo", "it\\sx"] },
        { "echo \"a \\\"b\\\" \\\\ \\$HOME \\n\"", ["echo", "a \"b\" \\ $HOME \\n"] },
        { "echo a\\ b \\'c", ["echo", "a b", "'c"] },
        { "a\"b c\"d", ["ab cd"] },
        { "echo '' \"\"", ["echo", "", ""] },
        { "echo '; rm -rf /tmp/x' $HOME *", ["echo", "; rm -rf /tmp/x", "$HOME", "*"] },
        { "a \\\n b", ["a", "b"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrySplit_Quoting_GivesArguments(string line, string[] expected)
    {
        Assert.Null(CommandLineSplitter.TrySplit(line, out var args));
        Assert.Equal(expected, args.ToArray());
    }

    [Theory]
    [InlineData("echo 'abc", "unterminated single quote at index 5")]
    [InlineData("echo \"abc", "unterminated double quote at index 5")]
    [InlineData("echo \"a\\\"", "unterminated double quote at index 5")]
    [InlineData("echo abc\\", "lone backslash at the end (index 8)")]
    [InlineData("   ", "is empty; expected a program and its arguments")]
    public void TrySplit_Broken_GivesReason(string line, string expected)
    {
        Assert.Equal(expected, CommandLineSplitter.TrySplit(line, out _));
    }
}
