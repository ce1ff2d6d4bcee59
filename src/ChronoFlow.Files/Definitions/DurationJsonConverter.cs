using System.Text.Json.Serialization;
using System.Text.Json;
using ChronoFlow.Text;

namespace ChronoFlow.Files;

/// <summary>
/// Reads a <see cref="TimeSpan"/> the way every duration in a job file is read (<see cref="DurationText"/>:
/// <c>"00:10:00"</c> or ISO 8601 <c>"PT10M"</c>), so registered task types agree with the built-in fields. Writes the
/// invariant <c>"c"</c> form.
/// </summary>
internal sealed class DurationJsonConverter : JsonConverter<TimeSpan>
{
    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected a duration string such as \"00:10:00\" or \"PT10M\", found {Describe(reader.TokenType)}");
        }

        var text = reader.GetString()!;
        if (DurationText.TryParse(text, out var value) is { } error)
        {
            throw new JsonException(error);
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
