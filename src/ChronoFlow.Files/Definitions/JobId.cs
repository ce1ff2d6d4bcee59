namespace ChronoFlow.Files;

/// <summary>
/// The rules for a job id given in a definition file.
/// </summary>
/// <remarks>
/// A job id is 1 to <see cref="MaxLength"/> characters of ASCII letters, digits, <c>.</c>, <c>_</c>, <c>-</c>,
/// <c>:</c> and <c>@</c>, and starts with a letter or a digit. The charset keeps ids safe in file names, log
/// lines, metric tags and lock keys, and leaves no room for look-alike Unicode or invisible characters. Ids are
/// compared ordinally (case-sensitive). Ids made from crontab lines (<c>crontab-NAME:HASH</c>) follow the same rules.
/// </remarks>
internal static class JobId
{
    public const int MaxLength = 128;

    /// <summary>Returns <see langword="null"/> when <paramref name="id"/> is valid, otherwise the reason.</summary>
    public static string? Validate(string id)
    {
        if (id.Length == 0)
        {
            return "must not be empty";
        }

        if (id.Length > MaxLength)
        {
            return $"is {id.Length} characters long; the limit is {MaxLength}";
        }

        if (!char.IsAsciiLetterOrDigit(id[0]))
        {
            return "must start with an ASCII letter or digit";
        }

        for (var i = 0; i < id.Length; i++)
        {
            if (!IsIdChar(id[i]))
            {
                return $"has '{Printable(id[i])}' at index {i}; allowed are ASCII letters, digits and . _ - : @";
            }
        }

        return null;
    }

    public static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '@';

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:X4}" : c.ToString();
}
