using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChronoFlow.Samples.Web;

/// <summary>Writes a health report as JSON: the overall status and, per check, its status, description and data.</summary>
internal static class HealthResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body, new JsonWriterOptions
        {
            Indented = true,

            // Keeps the "+" of an offset readable; the response is JSON, never embedded in HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        json.WriteNumber("durationMs", report.TotalDuration.TotalMilliseconds);
        json.WriteStartObject("checks");
        foreach (var (name, entry) in report.Entries)
        {
            json.WriteStartObject(name);
            json.WriteString("status", entry.Status.ToString());
            if (entry.Description is not null)
            {
                json.WriteString("description", entry.Description);
            }

            if (entry.Exception is not null)
            {
                json.WriteString("error", entry.Exception.Message);
            }

            json.WriteStartObject("data");
            foreach (var (key, value) in entry.Data)
            {
                WriteValue(json, key, value);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    // Written by hand rather than serialized as object, which would need reflection for each value's type.
    private static void WriteValue(Utf8JsonWriter json, string key, object? value)
    {
        switch (value)
        {
            case null:
                json.WriteNull(key);
                break;
            case bool flag:
                json.WriteBoolean(key, flag);
                break;
            case int number:
                json.WriteNumber(key, number);
                break;
            case long number:
                json.WriteNumber(key, number);
                break;
            case double number:
                json.WriteNumber(key, number);
                break;
            case string text:
                json.WriteString(key, text);
                break;
            case IEnumerable<string> texts:
                json.WriteStartArray(key);
                foreach (var text in texts)
                {
                    json.WriteStringValue(text);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteString(key, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
