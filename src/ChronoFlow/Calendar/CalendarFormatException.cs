namespace ChronoFlow;

/// <summary>
/// The exception thrown by <see cref="Schedule.Calendar(string)"/> when the text is not a valid systemd calendar
/// event. <see cref="Position"/> is the 0-based index of the fault in the text.
/// </summary>
/// <remarks>
/// The message says what is wrong, for example <c>day: 32 is out of range 1-31</c>, followed by the event and the
/// position.
/// </remarks>
/// <threadsafety>Instances are immutable once thrown.</threadsafety>
public sealed class CalendarFormatException : FormatException
{
    /// <summary>Creates an exception with a default message and no position (<see cref="Position"/> is -1).</summary>
    public CalendarFormatException()
        : this("The calendar event is not valid.", -1)
    {
    }

    /// <summary>Creates an exception with a message and no position (<see cref="Position"/> is -1).</summary>
    /// <param name="message">What is wrong.</param>
    public CalendarFormatException(string message)
        : this(message, -1)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public CalendarFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Position = -1;
    }

    /// <summary>Creates an exception with a message and the 0-based position of the fault.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="position">The 0-based index of the fault in the event text, or -1.</param>
    public CalendarFormatException(string message, int position)
        : base(message)
    {
        Position = position;
    }

    /// <summary>Gets the 0-based index in the event text where the fault was found, or -1 when unknown.</summary>
    public int Position { get; }
}
