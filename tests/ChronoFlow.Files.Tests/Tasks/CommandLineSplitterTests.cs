using ChronoFlow.Files;
using FsCheck;
using FsCheck.Xunit;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

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

    [Property(MaxTest = 500)]
    public bool SingleQuotedArguments_Meets_Specification(NonEmptyArray<string> input)
    {
        // Any argument vector, each argument single-quoted (a ' written as '\''), splits back to itself.
        var args = input.Get.Select(a => (a ?? string.Empty).Replace("\0", string.Empty, StringComparison.Ordinal)).ToArray();
        var line = string.Join(' ', args.Select(a => "'" + a.Replace("'", "'\\''", StringComparison.Ordinal) + "'"));

        return CommandLineSplitter.TrySplit(line, out var split) is null && split.SequenceEqual(args);
    }

    [Property(MaxTest = 500)]
    public bool BackslashEscapedArguments_Meets_Specification(NonEmptyArray<NonEmptyString> input)
    {
        // Any non-empty arguments, every character backslash-escaped (newlines single-quoted, since \<newline> is a
        // line continuation), split back to themselves.
        var args = input.Get.Select(a => a.Get.Replace("\0", string.Empty, StringComparison.Ordinal)).Where(a => a.Length > 0).ToArray();
        if (args.Length == 0)
        {
            return true;
        }

        var line = string.Join(" \t ", args.Select(a => string.Concat(a.Select(c => c == '\n' ? "'\n'" : "\\" + c))));

        return CommandLineSplitter.TrySplit(line, out var split) is null && split.SequenceEqual(args);
    }
}
