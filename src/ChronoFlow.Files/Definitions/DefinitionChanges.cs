using System.Collections.Immutable;

namespace ChronoFlow.Files;

/// <summary>
/// What a reload found: definitions to add, to update (same id, different content) and to remove, and the
/// diagnostics reported for the first time. <see cref="HasPendingFiles"/> says that a file looked half-written and
/// was left as it was; scan again after the settle time.
/// </summary>
internal sealed record DefinitionChanges(
    ImmutableArray<JobDefinition> Added,
    ImmutableArray<JobDefinition> Changed,
    ImmutableArray<JobDefinition> Removed,
    ImmutableArray<DefinitionDiagnostic> Diagnostics,
    bool HasPendingFiles)
{
    public static readonly DefinitionChanges None = new([], [], [], [], false);

    public bool HasDefinitionChanges => Added.Length + Changed.Length + Removed.Length > 0;

    /// <summary>Compares two snapshots by id and <see cref="JobDefinition.Fingerprint"/>.</summary>
    public static (ImmutableArray<JobDefinition> Added, ImmutableArray<JobDefinition> Changed, ImmutableArray<JobDefinition> Removed) Diff(
        IReadOnlyDictionary<string, JobDefinition> previous, IReadOnlyDictionary<string, JobDefinition> current)
    {
        var added = ImmutableArray.CreateBuilder<JobDefinition>();
        var changed = ImmutableArray.CreateBuilder<JobDefinition>();
        var removed = ImmutableArray.CreateBuilder<JobDefinition>();
        foreach (var (id, definition) in current.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            if (!previous.TryGetValue(id, out var before))
            {
                added.Add(definition);
            }
            else if (!string.Equals(before.Fingerprint, definition.Fingerprint, StringComparison.Ordinal))
            {
                changed.Add(definition);
            }
        }

        foreach (var (id, definition) in previous.OrderBy(static p => p.Key, StringComparer.Ordinal))
        {
            if (!current.ContainsKey(id))
            {
                removed.Add(definition);
            }
        }

        return (added.ToImmutable(), changed.ToImmutable(), removed.ToImmutable());
    }
}
