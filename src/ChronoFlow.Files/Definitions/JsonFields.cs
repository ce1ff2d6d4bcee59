using System.Collections.Immutable;
using System.Text.Json;
using ChronoFlow.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Reads the properties of one JSON object with strict types, collecting a diagnostic (file, JSON path, reason) for
/// every fault instead of stopping at the first. Properties never asked for are reported as unknown (a warning).
/// An explicit <c>null</c> counts as "not given".
/// </summary>
internal sealed class JsonFields
{
    private readonly Dictionary<string, JsonElement> _properties = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly DiagnosticsBag _bag;

    private JsonFields(DiagnosticsBag bag, string path)
    {
        _bag = bag;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens <paramref name="element"/> as an object, or reports that it is not one and returns <see langword="null"/>.</summary>
    public static JsonFields? Open(JsonElement element, string path, DiagnosticsBag bag)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            bag.Error(path, $"expected an object, found {Describe(element)}");
            return null;
        }

        var fields = new JsonFields(bag, path);
        foreach (var property in element.EnumerateObject())
        {
            if (!fields._properties.TryAdd(property.Name, property.Value))
            {
                bag.Error(Child(path, property.Name), "is given more than once");
                continue;
            }

            fields._order.Add(property.Name);
        }

        return fields;
    }

    public static string Child(string path, string name)
    {
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return $"{path}['{name.Replace("'", "\\'", StringComparison.Ordinal)}']";
            }
        }

        return name.Length == 0 ? $"{path}['']" : $"{path}.{name}";
    }

    public static string Describe(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public DiagnosticsBag Bag => _bag;

    public IEnumerable<string> Names => _order;

    /// <summary>Marks <paramref name="name"/> as known and returns its value when it is present and not null.</summary>
    public bool TryGet(string name, out JsonElement value)
    {
        _used.Add(name);
        return _properties.TryGetValue(name, out value) && value.ValueKind != JsonValueKind.Null;
    }

    public bool Has(string name) => _properties.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string PathOf(string name) => Child(Path, name);

    public void Missing(string name, string what) => _bag.Error(Path, $"\"{name}\" is required ({what})");

    public string? String(string name, bool required = false, string what = "a string")
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Missing(name, what);
            }

            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            _bag.Error(PathOf(name), $"expected {what}, found {Describe(value)}");
            return null;
        }

        return value.GetString()!;
    }

    public bool? Boolean(string name)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        _bag.Error(PathOf(name), $"expected true or false, found {Describe(value)}");
        return null;
    }

    public long? Integer(string name, long min, long max)
    {
        if (!TryGet(name, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            _bag.Error(PathOf(name), $"expected a whole number from {min} to {max}, found {Describe(value)}");
            return null;
        }

        if (!value.TryGetInt64(out var number))
        {
            _bag.Error(PathOf(name), $"{value.GetRawText()} is not a whole number from {min} to {max}");
            return null;
        }

        if (number < min || number > max)
        {
            _bag.Error(PathOf(name), $"{number} is out of range {min}-{max}");
            return null;
        }

        return number;
    }

    /// <summary>A duration string; <paramref name="allowZero"/> says whether <c>00:00:00</c> is accepted.</summary>
    public TimeSpan? Duration(string name, bool allowZero)
    {
        var text = String(name, what: "a duration string such as \"00:10:00\" or \"PT10M\"");
        if (text is null)
        {
            return null;
        }

        var error = DurationText.TryParse(text, out var value);
        if (error is not null)
        {
            _bag.Error(PathOf(name), error);
            return null;
        }

        if (value < TimeSpan.Zero || (!allowZero && value == TimeSpan.Zero))
        {
            _bag.Error(PathOf(name), allowZero ? $"\"{text}\" is negative" : $"\"{text}\" must be longer than zero");
            return null;
        }

        return value;
    }

    public JsonFields? Object(string name, bool required = false, string what = "an object")
    {
        if (!TryGet(name, out var value))
        {
            if (required)
            {
                Missing(name, what);
            }

            return null;
        }

        return Open(value, PathOf(name), _bag);
    }

    /// <summary>An object whose values are all strings, in file order.</summary>
    public ImmutableArray<KeyValuePair<string, string>>? StringMap(string name, Func<string, string?>? validateName = null)
    {
        var map = Object(name, what: "an object of strings");
        if (map is null)
        {
            return null;
        }

        var result = ImmutableArray.CreateBuilder<KeyValuePair<string, string>>();
        foreach (var key in map.Names)
        {
            var keyError = validateName?.Invoke(key);
            if (keyError is not null)
            {
                _bag.Error(map.PathOf(key), keyError);
                map.TryGet(key, out _);
                continue;
            }

            var value = map.String(key, what: "a string");
            if (value is not null)
            {
                result.Add(new(key, value));
            }
        }

        return result.ToImmutable();
    }

    /// <summary>Warns about every property that was never asked for.</summary>
    public void WarnUnknown(string? context = null)
    {
        foreach (var name in _order)
        {
            if (!_used.Contains(name))
            {
                _bag.Warning(PathOf(name), context is null ? "unknown field, ignored" : $"unknown field for {context}, ignored");
            }
        }
    }
}

/// <summary>Collects the diagnostics of one file.</summary>
internal sealed class DiagnosticsBag(string file)
{
    private readonly List<DefinitionDiagnostic> _items = [];

    public string File { get; } = file;

    public bool HasErrors { get; private set; }

    public int Count => _items.Count;

    public void Error(string location, string message)
    {
        HasErrors = true;
        _items.Add(DefinitionDiagnostic.Error(File, location, message));
    }

    public void Warning(string location, string message) => _items.Add(DefinitionDiagnostic.Warning(File, location, message));

    public bool HasErrorsSince(int count)
    {
        for (var i = count; i < _items.Count; i++)
        {
            if (_items[i].IsError)
            {
                return true;
            }
        }

        return false;
    }

    public ImmutableArray<DefinitionDiagnostic> ToImmutable() => [.. _items];
}
