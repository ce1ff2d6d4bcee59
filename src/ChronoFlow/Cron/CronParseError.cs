namespace ChronoFlow;

/// <summary>What the parser found wrong. The parser only returns codes; text is built on demand by <see cref="ThrowHelper"/>.</summary>
internal enum CronParseErrorCode : byte
{
    None,
    Empty,
    FieldCount,
    UnexpectedCharacter,
    MissingValue,
    OutOfRange,
    UnknownName,
    NameInWrongField,
    StepOutOfRange,
    EmptyItem,
    QuestionNotAllowed,
    SpecialTakesNoRangeOrStep,
    LastNeedsWeekday,
    NthOutOfRange,
    LastOffsetOutOfRange,
    UnknownMacro,
    RebootIsNotCron,
    HashNotAllowed,
    HashRangeMalformed,
    TextAfterMacro,
}

/// <summary>
/// The outcome of a parse: <see cref="CronParseErrorCode.None"/>, or a code with the field and the 0-based
/// position and length of the offending text. A value type, so that a failing <c>TryParse</c> allocates nothing.
/// </summary>
internal readonly struct CronParseError
{
    public readonly CronParseErrorCode Code;
    public readonly CronField Field;
    public readonly int Position;
    public readonly int Length;

    /// <summary>For <see cref="CronParseErrorCode.FieldCount"/>, the number of fields found.</summary>
    public readonly int Found;

    public CronParseError(CronParseErrorCode code, CronField field, int position, int length, int found = 0)
    {
        Code = code;
        Field = field;
        Position = position;
        Length = length;
        Found = found;
    }

    public static CronParseError Success => default;
}
