namespace ChronoFlow;

/// <summary>
/// The exception thrown by <see cref="CronExpression.Parse(string, CronFormat)"/> when the text is not a valid
/// cron expression. <see cref="Position"/> is the 0-based index of the fault in the text.
/// </summary>
/// <remarks>
/// The message names the field and what is wrong, for example <c>minute: 61 is out of range 0-59</c>, followed by
/// the expression and the column.
/// </remarks>
/// <threadsafety>Instances are immutable once thrown.</threadsafety>
public sealed class CronFormatException : FormatException
{
    /// <summary>Creates an exception with a message and no position (<see cref="Position"/> is -1).</summary>
    public CronFormatException()
        : this("The cron expression is not valid.", -1)
    {
    }

    /// <summary>Creates an exception with a message and no position (<see cref="Position"/> is -1).</summary>
    /// <param name="message">What is wrong.</param>
    public CronFormatException(string message)
        : this(message, -1)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CronFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Position = -1;
    }

    /// <summary>Creates an exception with a message and the 0-based position of the fault.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="position">The 0-based index of the fault in the expression text, or -1.</param>
    public CronFormatException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>Gets the 0-based index in the expression text where the fault was found, or -1 when unknown.</summary>
    public int Position { get; }
}
