using System.Buffers;
using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace ChronoFlow.Files;

/// <summary>Options for <see cref="CrontabParser"/>.</summary>
internal sealed record CrontabParseOptions
{
    /// <summary>A system crontab (<c>/etc/crontab</c> style) has a user column between the schedule and the command.</summary>
    public bool HasUserColumn { get; init; }
}

/// <summary>
/// Reads a classic crontab into definitions, one per job line. A broken line gives an error naming the file and
/// its line number; every other line still loads.
/// </summary>
/// <remarks>
/// What is supported, line by line:
/// <list type="bullet">
/// <item>Blank lines, and comment lines whose first non-blank character is <c>#</c>. A <c>#</c> later in a job
/// line is part of the command, as in cron.</item>
/// <item>Environment lines <c>NAME=value</c> (spaces around <c>=</c> allowed; NAME is letters, digits and
/// <c>_</c>). A value wholly in single or double quotes loses the quotes; nothing else is unescaped. Each applies to
/// the job lines after it. <c>CRON_TZ=zone</c> sets the time zone of the schedules that follow (an empty value
/// goes back to UTC; an unknown zone is an error on its line, and the job lines after it fail until the next valid
/// <c>CRON_TZ</c>, so that nothing runs in the wrong zone). <c>SHELL=</c> chooses the shell for the commands that
/// follow (default <c>/bin/sh</c>). <c>MAILTO=</c> is kept as an environment variable only: ChronoFlow sends no
/// mail, output goes to the log. Other names (<c>PATH</c>, <c>HOME</c> …) are set in the command's environment.</item>
/// <item>Job lines <c>m h dom mon dow command</c> (five fields, validated by the cron engine), or
/// <c>@macro command</c> with <c>@reboot</c>, <c>@yearly</c>, <c>@annually</c>, <c>@monthly</c>, <c>@weekly</c>,
/// <c>@daily</c>, <c>@midnight</c>, <c>@hourly</c>, <c>@every_minute</c> or <c>@every_second</c>. With
/// <see cref="CrontabParseOptions.HasUserColumn"/> a user name follows the schedule.</item>
/// <item>Job lines <c>@calendar "event" command</c> (an extension): a systemd calendar event (<c>OnCalendar=</c>
/// syntax, such as <c>@calendar "Mon..Fri *-*-* 09:00" /usr/local/bin/report</c>) in double quotes, since an event has
/// blanks in it. It runs on the wall clock of the line's <c>CRON_TZ</c>, or of a zone at the end of the event; naming
/// two different zones is an error. A bad event is an error on its line with the 0-based position in the event.</item>
/// <item>The command runs through the shell, as cron runs it. An unescaped <c>%</c> ends the command: the text after
/// it is the command's standard input, each further unescaped <c>%</c> there becoming a newline, and a final newline
/// is added. <c>\%</c> is a literal <c>%</c> (the backslash is removed); any other backslash is left for the shell.</item>
/// <item>Line continuation (an extension; Vixie cron and cronie have none): a job or environment line that ends
/// with an odd number of backslashes continues on the next line; the last backslash and the line break are removed.
/// Errors name the first line of the entry. Comment lines never continue.</item>
/// </list>
/// Each job gets the id <c>crontab-NAME:HASH</c>: NAME is the file name (characters outside the job id charset
/// become <c>_</c>), HASH the first 12 hex digits of the SHA-256 of the entry text, so a reload keeps the id of
/// every unchanged line wherever it moves in the file. A second identical line gets <c>-2</c>, a third <c>-3</c>.
/// An environment change keeps the ids and changes the fingerprints, so the jobs below it report as changed.
/// </remarks>
internal static class CrontabParser
{
    private static readonly string[] s_macros = ["yearly", "annually", "monthly", "weekly", "daily", "midnight", "hourly", "every_minute", "every_second"];

    public static DefinitionFileResult Parse(string content, string file, CrontabParseOptions? options = null)
    {
        options ??= new CrontabParseOptions();
        var bag = new DiagnosticsBag(file);
        var definitions = ImmutableArray.CreateBuilder<JobDefinition>();
        var idCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var idPrefix = "crontab-" + SanitizeName(Path.GetFileName(file)) + ":";

        var environment = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);
        string? shell = null;
        string? zoneId = null;
        TimeZoneInfo? zone = null;
        int? badZoneLine = null;

        foreach (var (lineNumber, text) in LogicalLines(content))
        {
            var location = $"line {lineNumber}";
            var line = text.AsSpan().Trim(" \t");
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (TryEnvironmentLine(line, out var name, out var value))
            {
                switch (name)
                {
                    case "CRON_TZ":
                        if (value.Length == 0)
                        {
                            zoneId = null;
                            zone = null;
                            badZoneLine = null;
                            break;
                        }

                        var found = TimeZones.Find(value, out var zoneError);
                        if (found is null)
                        {
                            bag.Error(location, $"CRON_TZ: {zoneError}");
                            badZoneLine = lineNumber;
                        }
                        else
                        {
                            zoneId = value;
                            zone = found;
                            badZoneLine = null;
                        }

                        break;
                    case "SHELL":
                        shell = value.Length == 0 ? null : value;
                        environment = environment.SetItem(name, value);
                        break;
                    default:
                        environment = environment.SetItem(name, value);
                        break;
                }

                continue;
            }

            var definition = ParseJobLine(line.ToString(), location, bag, options, zone);
            if (definition is null)
            {
                continue;
            }

            if (badZoneLine is { } bad)
            {
                bag.Error(location, $"not loaded: the CRON_TZ on line {bad} above is not valid");
                continue;
            }

            var baseId = idPrefix + ShortHash(line);
            var count = idCounts.TryGetValue(baseId, out var seen) ? seen + 1 : 1;
            idCounts[baseId] = count;
            var (scheduleText, schedule, user, command, stdin) = definition.Value;
            var settings = new CommandTaskSettings
            {
                Command = command,
                Shell = true,
                ShellPath = shell,
                Environment = environment,
                StandardInput = stdin,
            };

            var job = new JobDefinition
            {
                JobId = count == 1 ? baseId : $"{baseId}-{count}",
                Schedule = schedule,
                ScheduleText = scheduleText,
                TimeZoneId = zoneId,
                TimeZone = zone,
                RunAsUser = user,
                Task = new TaskDefinition(BuiltInTaskTypes.ExecuteCommand, RawSettings(command), settings),
                SourceFile = file,
                SourceLocation = location,
                Fingerprint = string.Empty,
            };
            definitions.Add(job with { Fingerprint = DefinitionFingerprint.Compute(job) });
        }

        return new DefinitionFileResult(definitions.ToImmutable(), bag.ToImmutable());
    }

    private static (string ScheduleText, Schedule Schedule, string? User, string Command, string? Stdin)? ParseJobLine(string line, string location, DiagnosticsBag bag, CrontabParseOptions options, TimeZoneInfo? zone)
    {
        var rest = line.AsSpan();
        string scheduleText;
        Schedule? schedule;
        string? error;
        if (IsCalendarMacro(rest))
        {
            // @calendar "<systemd calendar event>" command: the quotes mark where the event (which has blanks) ends.
            rest = rest["@calendar".Length..].TrimStart(" \t");
            var close = rest.Length > 0 && rest[0] == '"' ? rest[1..].IndexOf('"') : -1;
            if (close < 0)
            {
                bag.Error(location, rest.Length > 0 && rest[0] == '"'
                    ? "@calendar: the calendar event has no closing '\"'; write @calendar \"Mon..Fri *-*-* 09:00\" command"
                    : "@calendar: expected the calendar event in double quotes, as in @calendar \"Mon..Fri *-*-* 09:00\" command");
                return null;
            }

            scheduleText = rest.Slice(1, close).ToString();
            rest = rest[(close + 2)..];
            if (!rest.IsEmpty && rest[0] is not (' ' or '\t'))
            {
                bag.Error(location, "@calendar: expected a blank after the closing '\"' of the calendar event");
                return null;
            }

            error = JobDefinition.ReadCalendar(scheduleText, zone, CalendarSyntax.Crontab, out schedule);
            if (error is not null)
            {
                bag.Error(location, $"@calendar: {error}");
                return null;
            }

            return ReadCommand(rest, scheduleText, schedule!, location, bag, options);
        }

        if (rest[0] == '@')
        {
            scheduleText = NextToken(ref rest).ToString();
            var name = scheduleText[1..].ToLowerInvariant();
            if (name != "reboot" && Array.IndexOf(s_macros, name) < 0)
            {
                bag.Error(location, $"unknown macro \"{scheduleText}\"; expected @reboot, @{string.Join(", @", s_macros)}");
                return null;
            }
        }
        else
        {
            var fields = new string[5];
            for (var i = 0; i < 5; i++)
            {
                var token = NextToken(ref rest);
                if (token.IsEmpty)
                {
                    bag.Error(location, $"has {i} schedule field{(i == 1 ? "" : "s")} and no command; expected \"minute hour day-of-month month day-of-week command\"");
                    return null;
                }

                fields[i] = token.ToString();
            }

            scheduleText = string.Join(' ', fields);
        }

        // Macros and expressions alike go through the one reader of schedule text, in the line's CRON_TZ.
        error = JobDefinition.ReadSchedule(scheduleText, zone, CalendarSyntax.Crontab, out schedule);
        if (error is not null)
        {
            bag.Error(location, error);
            return null;
        }

        return ReadCommand(rest, scheduleText, schedule!, location, bag, options);
    }

    /// <summary>Whether the line starts with the <c>@calendar</c> keyword (any case), followed by a blank or a quote.</summary>
    private static bool IsCalendarMacro(ReadOnlySpan<char> line)
        => line.StartsWith("@calendar", StringComparison.OrdinalIgnoreCase)
        && (line.Length == "@calendar".Length || line["@calendar".Length] is ' ' or '\t' or '"');

    /// <summary>The rest of a job line after its schedule: the user column of a system crontab, then the command.</summary>
    private static (string ScheduleText, Schedule Schedule, string? User, string Command, string? Stdin)? ReadCommand(
        ReadOnlySpan<char> rest, string scheduleText, Schedule schedule, string location, DiagnosticsBag bag, CrontabParseOptions options)
    {
        string? user = null;
        if (options.HasUserColumn)
        {
            user = NextToken(ref rest).ToString();
            if (user.Length == 0)
            {
                bag.Error(location, "has no user column and no command; a system crontab line is \"schedule user command\"");
                return null;
            }
        }

        var commandText = rest.Trim(" \t").ToString();
        if (commandText.Length == 0)
        {
            bag.Error(location, "has a schedule but no command");
            return null;
        }

        var (command, stdin) = SplitPercent(commandText);
        if (command.AsSpan().Trim(" \t").IsEmpty)
        {
            bag.Error(location, "has an empty command before '%'");
            return null;
        }

        return (scheduleText, schedule, user, command, stdin);
    }

    /// <summary>Splits a cron command at its first unescaped <c>%</c> into the command and its standard input.</summary>
    internal static (string Command, string? Stdin) SplitPercent(string text)
    {
        var command = new StringBuilder(text.Length);
        StringBuilder? stdin = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var target = stdin ?? command;
            if (c == '\\' && i + 1 < text.Length && text[i + 1] == '%')
            {
                target.Append('%');
                i++;
            }
            else if (c == '%')
            {
                if (stdin is null)
                {
                    stdin = new StringBuilder();
                }
                else
                {
                    stdin.Append('\n');
                }
            }
            else
            {
                target.Append(c);
            }
        }

        return (command.ToString(), stdin?.Append('\n').ToString());
    }

    private static ReadOnlySpan<char> NextToken(ref ReadOnlySpan<char> rest)
    {
        rest = rest.TrimStart(" \t");
        var end = rest.IndexOfAny(' ', '\t');
        if (end < 0)
        {
            end = rest.Length;
        }

        var token = rest[..end];
        rest = rest[end..];
        return token;
    }

    private static bool TryEnvironmentLine(ReadOnlySpan<char> line, out string name, out string value)
    {
        name = string.Empty;
        value = string.Empty;
        if (!(char.IsAsciiLetter(line[0]) || line[0] == '_'))
        {
            return false;
        }

        var i = 1;
        while (i < line.Length && (char.IsAsciiLetterOrDigit(line[i]) || line[i] == '_'))
        {
            i++;
        }

        var nameEnd = i;
        while (i < line.Length && line[i] is ' ' or '\t')
        {
            i++;
        }

        if (i >= line.Length || line[i] != '=')
        {
            return false;
        }

        name = line[..nameEnd].ToString();
        var raw = line[(i + 1)..].Trim(" \t");
        if (raw.Length >= 2 && raw[0] is '"' or '\'' && raw[^1] == raw[0])
        {
            raw = raw[1..^1];
        }

        value = raw.ToString();
        return true;
    }

    /// <summary>Physical lines joined by trailing-backslash continuation, each with the number of its first line.</summary>
    internal static IEnumerable<(int Line, string Text)> LogicalLines(string content)
    {
        var lines = content.Split('\n');
        var builder = new StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var physical = lines[i].EndsWith('\r') ? lines[i][..^1] : lines[i];
            if (builder.Length == 0)
            {
                start = i + 1;
                if (physical.AsSpan().TrimStart(" \t").StartsWith("#"))
                {
                    yield return (start, physical);
                    continue;
                }
            }

            if (EndsWithOddBackslashes(physical) && i + 1 < lines.Length)
            {
                builder.Append(physical, 0, physical.Length - 1);
                continue;
            }

            builder.Append(physical);
            yield return (start, builder.ToString());
            builder.Clear();
        }
    }

    private static bool EndsWithOddBackslashes(string text)
    {
        var count = 0;
        for (var i = text.Length - 1; i >= 0 && text[i] == '\\'; i--)
        {
            count++;
        }

        return count % 2 == 1;
    }

    private static string SanitizeName(string fileName)
    {
        var chars = fileName.Length > 64 ? fileName[..64].ToCharArray() : fileName.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (!JobId.IsIdChar(chars[i]))
            {
                chars[i] = '_';
            }
        }

        return chars.Length == 0 ? "_" : new string(chars);
    }

    private static string ShortHash(ReadOnlySpan<char> entry)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(entry.ToString()), hash);
        var hex = new StringBuilder(12);
        foreach (var b in hash[..6])
        {
            hex.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }

    private static JsonElement RawSettings(string command)
    {
        var buffer = new ArrayBufferWriter<byte>(command.Length + 64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", TaskDefinition.ExecuteCommand);
            writer.WriteString("command", command);
            writer.WriteBoolean("shell", true);
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
