using System.Globalization;
using System.Reflection;

namespace ChronoFlow.Stores;

/// <summary>
/// The versioned schema scripts a store embeds (<c>Schema/NNN_description.sql</c>) and runs itself, so that the SQL
/// shipped for DBAs and the schema a store creates never differ. Shared as source by the SQLite and PostgreSQL stores.
/// </summary>
internal static class SchemaScripts
{
    /// <summary>Reads the scripts under <paramref name="resourcePrefix"/>, in version order, checking they are numbered 1, 2, 3, ... without gaps.</summary>
    public static SchemaScript[] Load(Assembly assembly, string resourcePrefix)
    {
        var scripts = new List<SchemaScript>();
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(resourcePrefix, StringComparison.Ordinal) || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                continue;
            }

            var file = name[resourcePrefix.Length..];
            var underscore = file.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(file.AsSpan(0, underscore), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw new InvalidOperationException($"The schema script '{file}' in {assembly.GetName().Name} must be named NNN_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new SchemaScript(version, file, reader.ReadToEnd()));
        }

        scripts.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < scripts.Count; i++)
        {
            if (scripts[i].Version != i + 1)
            {
                throw new InvalidOperationException($"The schema scripts in {assembly.GetName().Name} must be numbered 1, 2, 3, ... without gaps; '{scripts[i].Name}' is number {i + 1}.");
            }
        }

        return [.. scripts];
    }
}

/// <summary>One schema script: its version, its file name, and its text.</summary>
internal sealed record SchemaScript(int Version, string Name, string Sql);
