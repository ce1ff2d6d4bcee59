namespace ChronoFlow.Files;

/// <summary>How serious a <see cref="DefinitionDiagnostic"/> is.</summary>
internal enum DiagnosticSeverity
{
    /// <summary>Something was ignored (an unknown field); the definition still loads.</summary>
    Warning,

    /// <summary>The definition (or the whole file) does not load; nothing runs from it.</summary>
    Error,
}

/// <summary>
/// One finding about a definition file: which file, where in it (a JSON path such as <c>$.schedule</c> or a line
/// such as <c>line 12</c>), and what is wrong. <see cref="ToString"/> gives the one-line form that is logged:
/// <c>jobs.d/report.json: $.schedule: minute: 61 is out of range 0-59</c>.
/// </summary>
internal sealed record DefinitionDiagnostic(DiagnosticSeverity Severity, string File, string Location, string Message)
{
    public static DefinitionDiagnostic Error(string file, string location, string message) => new(DiagnosticSeverity.Error, file, location, message);

    public static DefinitionDiagnostic Warning(string file, string location, string message) => new(DiagnosticSeverity.Warning, file, location, message);

    public bool IsError => Severity == DiagnosticSeverity.Error;

    public override string ToString() => Location.Length == 0 ? $"{File}: {Message}" : $"{File}: {Location}: {Message}";
}
