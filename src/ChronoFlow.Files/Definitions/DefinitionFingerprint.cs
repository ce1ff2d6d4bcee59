using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ChronoFlow.Files;

/// <summary>
/// A canonical, compact JSON text of everything in a <see cref="JobDefinition"/> that affects how it runs; not
/// where it came from (<see cref="JobDefinition.SourceFile"/>), so that moving a job between files or
/// re-formatting one is no change.
/// </summary>
internal static class DefinitionFingerprint
{
    public static string Compute(JobDefinition d)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", d.JobId);
            w.WriteString("description", d.Description);
            // The text as written and the zone say all the schedule means (the field count tells the cron format).
            w.WriteString("schedule.kind", d.Schedule.Kind.ToString());
            w.WriteString("schedule", d.ScheduleText);
            w.WriteString("timezone", d.TimeZoneId);
            w.WriteBoolean("enabled", d.Enabled);
            w.WriteString("timeout", Span(d.Timeout));
            w.WriteString("max_concurrency", d.MaxConcurrency?.ToString(CultureInfo.InvariantCulture));
            w.WriteString("misfire.policy", d.Misfire?.Policy);
            w.WriteString("misfire.grace", Span(d.Misfire?.GracePeriod));
            w.WriteString("retry.attempts", d.Retry?.MaxAttempts.ToString(CultureInfo.InvariantCulture));
            w.WriteString("retry.backoff", Span(d.Retry?.Backoff));
            w.WriteString("retry.max_delay", Span(d.Retry?.MaxDelay));
            w.WriteString("lock", d.LockKey);
            w.WriteString("user", d.RunAsUser);
            w.WriteString("task.type", d.Task.Type);
            w.WritePropertyName("task.raw");
            d.Task.RawSettings.WriteTo(w);
            if (d.Task.Settings is CommandTaskSettings c)
            {
                // Crontab lines carry settings that are not in the raw JSON (environment lines, SHELL, stdin).
                w.WriteString("cmd.command", c.Command);
                w.WriteStartArray("cmd.args");
                foreach (var a in c.Arguments)
                {
                    w.WriteStringValue(a);
                }

                w.WriteEndArray();
                w.WriteBoolean("cmd.shell", c.Shell);
                w.WriteString("cmd.shell_path", c.ShellPath);
                w.WriteStartObject("cmd.env");
                foreach (var pair in c.Environment.OrderBy(static p => p.Key, StringComparer.Ordinal))
                {
                    w.WriteString(pair.Key, pair.Value);
                }

                w.WriteEndObject();
                w.WriteString("cmd.wd", c.WorkingDirectory);
                w.WriteString("cmd.limit", c.OutputLimit?.ToString(CultureInfo.InvariantCulture));
                w.WriteString("cmd.stdin", c.StandardInput);
                w.WriteString("cmd.output_file", c.OutputFile);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? Span(TimeSpan? value) => value?.ToString("c", CultureInfo.InvariantCulture);
}
