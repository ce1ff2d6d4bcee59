using System.Collections.Immutable;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Splits a command line into an argument vector with the quoting rules of the POSIX shell, and nothing else of
/// the shell.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Spaces, tabs and newlines outside quotes separate arguments; runs of them count as one.</item>
/// <item><c>'...'</c>: every character up to the next <c>'</c> is literal, backslashes included.</item>
/// <item><c>"..."</c>: literal, except that a backslash before <c>"</c>, <c>\</c>, <c>$</c> or <c>`</c> escapes
/// it, and a backslash before a newline removes both; before any other character the backslash stays.</item>
/// <item>Outside quotes a backslash makes the next character literal; a backslash before a newline removes both.</item>
/// <item>Quoted and unquoted parts join into one argument (<c>a"b c"d</c> is <c>ab cd</c>); <c>''</c> is an empty argument.</item>
/// <item>Nothing is expanded or interpreted: <c>$HOME</c>, <c>*</c>, <c>~</c>, <c>;</c>, <c>|</c>, <c>&amp;</c>,
/// <c>&gt;</c> and backquotes are plain characters of an argument. Use <c>"shell": true</c> for shell features.</item>
/// </list>
/// An unterminated quote or a trailing lone backslash is an error that names the index where it starts.
/// </remarks>
internal static class CommandLineSplitter
{
    /// <summary>Returns <see langword="null"/> on success, otherwise the reason.</summary>
    public static string? TrySplit(string commandLine, out ImmutableArray<string> arguments)
    {
        arguments = [];
        var result = ImmutableArray.CreateBuilder<string>();
        var current = new StringBuilder();
        var inArgument = false;
        var i = 0;
        while (i < commandLine.Length)
        {
            var c = commandLine[i];
            switch (c)
            {
                case ' ' or '\t' or '\n' or '\r':
                    if (inArgument)
                    {
                        result.Add(current.ToString());
                        current.Clear();
                        inArgument = false;
                    }

                    i++;
                    break;

                case '\'':
                {
                    var close = commandLine.IndexOf('\'', i + 1);
                    if (close < 0)
                    {
                        return $"unterminated single quote at index {i}";
                    }

                    current.Append(commandLine, i + 1, close - i - 1);
                    inArgument = true;
                    i = close + 1;
                    break;
                }

                case '"':
                {
                    var start = i;
                    i++;
                    var closed = false;
                    while (i < commandLine.Length)
                    {
                        var d = commandLine[i];
                        if (d == '"')
                        {
                            closed = true;
                            i++;
                            break;
                        }

                        if (d == '\\' && i + 1 < commandLine.Length)
                        {
                            var next = commandLine[i + 1];
                            if (next is '"' or '\\' or '$' or '`')
                            {
                                current.Append(next);
                                i += 2;
                                continue;
                            }

                            if (next == '\n')
                            {
                                i += 2;
                                continue;
                            }
                        }

                        current.Append(d);
                        i++;
                    }

                    if (!closed)
                    {
                        return $"unterminated double quote at index {start}";
                    }

                    inArgument = true;
                    break;
                }

                case '\\':
                    if (i + 1 >= commandLine.Length)
                    {
                        return $"lone backslash at the end (index {i})";
                    }

                    if (commandLine[i + 1] != '\n')
                    {
                        current.Append(commandLine[i + 1]);
                        inArgument = true;
                    }

                    i += 2;
                    break;

                default:
                    current.Append(c);
                    inArgument = true;
                    i++;
                    break;
            }
        }

        if (inArgument)
        {
            result.Add(current.ToString());
        }

        if (result.Count == 0)
        {
            return "is empty; expected a program and its arguments";
        }

        arguments = result.ToImmutable();
        return null;
    }
}
