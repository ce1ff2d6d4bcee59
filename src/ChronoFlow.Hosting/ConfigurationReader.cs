using System.Globalization;
using ChronoFlow.Text;
using Microsoft.Extensions.Configuration;

namespace ChronoFlow.Hosting;

/// <summary>
/// Reads one configuration section by hand, so that every bad value is reported with its full key path and the
/// reason (<c>ChronoFlow:Jobs:cleanup:Timeout: "ten" is not a duration ...</c>), and so that binding needs no
/// reflection. Keys are case-insensitive, as everywhere in Microsoft.Extensions.Configuration; a key that is not
/// read is reported as unknown, which catches misspellings.
/// </summary>
internal sealed class ConfigurationReader(IConfigurationSection section, List<string> errors)
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public string Path => section.Path;

    public string? String(string key)
    {
        _read.Add(key);
        var value = section[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public int? Int32(string key, int min)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            Error(key, $"\"{text}\" is not a whole number");
            return null;
        }

        if (value < min)
        {
            Error(key, $"{value} is less than the minimum, {min}");
            return null;
        }

        return value;
    }

    public double? Double(string key, double min, double max)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Error(key, $"\"{text}\" is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return value;
    }

    public bool? Boolean(string key)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (!bool.TryParse(text, out var value))
        {
            Error(key, $"\"{text}\" is not true or false");
            return null;
        }

        return value;
    }

    /// <summary>A duration as <c>hh:mm:ss</c> or ISO 8601 (<c>PT10M</c>); <c>Infinite</c> when <paramref name="allowInfinite"/>.</summary>
    public TimeSpan? Duration(string key, bool allowInfinite = false)
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (allowInfinite && string.Equals(text, "Infinite", StringComparison.OrdinalIgnoreCase))
        {
            return Timeout.InfiniteTimeSpan;
        }

        if (DurationText.TryParse(text, out var value) is { } reason)
        {
            Error(key, reason);
            return null;
        }

        if (value <= TimeSpan.Zero)
        {
            Error(key, $"\"{text}\" must be longer than zero");
            return null;
        }

        return value;
    }

    /// <summary>An enum by name (case-insensitive); numbers are refused, since they hide typos and meanings.</summary>
    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, Enum
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (text.Length > 0 && (char.IsAsciiDigit(text[0]) || text[0] == '-')
            || !System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value)
            || !System.Enum.IsDefined(value))
        {
            Error(key, $"\"{text}\" is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}");
            return null;
        }

        return value;
    }

    /// <summary>Whether the key has a value or children; marks it as read.</summary>
    public bool IsPresent(string key)
    {
        _read.Add(key);
        var child = section.GetSection(key);
        return child.Value is not null || child.GetChildren().Any();
    }

    public IConfigurationSection Section(string key)
    {
        _read.Add(key);
        return section.GetSection(key);
    }

    public void Error(string key, string reason) => errors.Add($"{section.Path}:{key}: {reason}.");

    /// <summary>Reports every key of the section that was not read.</summary>
    public void ReportUnknown()
    {
        foreach (var child in section.GetChildren())
        {
            if (!_read.Contains(child.Key))
            {
                errors.Add($"{child.Path}: unknown setting; the settings here are {string.Join(", ", _read.Order(StringComparer.Ordinal))}.");
            }
        }
    }
}
