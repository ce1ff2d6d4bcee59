namespace ChronoFlow;

/// <summary>
/// Occurrences on the wall clock of a zone, found segment by segment: within a segment of constant offset the
/// wall clock is UTC shifted, so <see cref="CronCalendar"/> does the search, and only the edges need thought.
/// </summary>
/// <remarks>
/// The rules (the README, "Time zones and daylight saving" and "The cron dialect"): a wall time skipped by a spring-forward jump fires once, at the instant of the jump;
/// in a repeated hour a fixed-time expression fires in the first pass only, any other in both passes.
/// </remarks>
internal static class ZonedCalendar
{
    /// <summary>A bound on segments walked; each is one transition, so this covers thousands of years.</summary>
    private const int MaxSegments = 20_000;

    /// <summary>More than any UTC offset a zone has had, so that a jump never passes the instant it aims at.</summary>
    private const long JumpMargin = 18 * TimeSpan.TicksPerHour;

    public static long Next(in CronExpression e, ZoneRules zone, long fromUtc, bool inclusive, out long offset)
    {
        offset = 0;
        if (zone.IsFixed)
        {
            offset = zone.FixedOffset;
            var local = CronCalendar.Next(in e, fromUtc + offset, inclusive);
            return local < 0 ? -1 : Utc(local - offset);
        }

        var fixedTime = e.IsFixedTime;
        var t = fromUtc;
        var incl = inclusive;

        // A wall-clock match already found, and the wall time from which it is the first match: a later search
        // that starts between the two would find it again, so it is reused instead.
        long knownFrom = long.MaxValue, knownMatch = -1;
        for (var walked = 0; walked < MaxSegments; walked++)
        {
            ref readonly var seg = ref zone.Segment(t);

            // Starting exactly at a spring-forward jump: the skipped wall times fire at this instant.
            if (incl && t == seg.Start && seg.PreviousOffset < seg.Offset)
            {
                var skipped = CronCalendar.Next(in e, seg.Start + seg.PreviousOffset, inclusive: true);
                if (skipped >= 0 && skipped < seg.Start + seg.Offset)
                {
                    offset = seg.Offset;
                    return seg.Start;
                }
            }

            var localFrom = t + seg.Offset;
            var localInclusive = incl;
            if (fixedTime && seg.PreviousOffset > seg.Offset && localFrom < seg.Start + seg.PreviousOffset)
            {
                // The second pass of a repeated hour: a fixed-time expression already fired in the first.
                localFrom = seg.Start + seg.PreviousOffset;
                localInclusive = true;
            }

            long match;
            if (knownMatch >= 0 && localFrom >= knownFrom && localFrom <= knownMatch && (localInclusive || localFrom < knownMatch))
            {
                match = knownMatch;
            }
            else
            {
                match = CronCalendar.Next(in e, localFrom, localInclusive);
                knownFrom = localInclusive ? localFrom : localFrom + 1;
                knownMatch = match;
            }

            if (match < 0)
            {
                // Nothing at or after localFrom on the wall clock. Only a fall-back at the end of this segment
                // can bring earlier wall times round again, and only an interval expression fires in that pass.
                if (seg.End == long.MaxValue || fixedTime || seg.NextOffset >= seg.Offset)
                {
                    return -1;
                }
            }
            else if (seg.End == long.MaxValue || match < seg.End + seg.Offset)
            {
                offset = seg.Offset;
                return Utc(match - seg.Offset);
            }
            else if (seg.NextOffset > seg.Offset && match < seg.End + seg.NextOffset)
            {
                offset = seg.NextOffset;
                return seg.End; // the match was skipped by the jump at the end of this segment
            }
            else if (fixedTime || seg.NextOffset >= seg.Offset)
            {
                // No wall time before the match can fire: the instant of the match, or of a jump that skips it,
                // is within a zone offset of it. So go straight there instead of visiting every segment between.
                // (A fall-back right after this segment repeats wall times below localFrom; an interval
                // expression fires in that second pass, so then the next segment is visited in turn.)
                t = Math.Max(seg.End, match - JumpMargin);
                incl = true;
                continue;
            }

            t = seg.End;
            incl = true;
        }

        return -1;
    }

    public static long Previous(in CronExpression e, ZoneRules zone, long fromUtc, bool inclusive, out long offset)
    {
        offset = 0;
        if (zone.IsFixed)
        {
            offset = zone.FixedOffset;
            var local = CronCalendar.Previous(in e, fromUtc + offset, inclusive);
            return local < 0 ? -1 : Utc(local - offset);
        }

        var fixedTime = e.IsFixedTime;
        var t = fromUtc;
        var incl = inclusive;
        for (var walked = 0; walked < MaxSegments; walked++)
        {
            ref readonly var seg = ref zone.Segment(t);
            var match = CronCalendar.Previous(in e, t + seg.Offset, incl);

            // The lowest wall time that belongs to this segment: in the second pass of a repeated hour a
            // fixed-time expression's wall times belong to the first pass, in the segment before.
            var lowest = seg.Start == long.MinValue ? long.MinValue : seg.Start + seg.Offset;
            if (fixedTime && seg.PreviousOffset > seg.Offset)
            {
                lowest = seg.Start + seg.PreviousOffset;
            }

            if (match >= 0 && match >= lowest)
            {
                offset = seg.Offset;
                return Utc(match - seg.Offset);
            }

            if (seg.Start == long.MinValue)
            {
                return -1;
            }

            // A spring-forward jump at the start of this segment: wall times it skipped fire at the jump.
            if (seg.PreviousOffset < seg.Offset && (incl || seg.Start < t))
            {
                var skipped = CronCalendar.Previous(in e, seg.Start + seg.Offset, inclusive: false);
                if (skipped >= 0 && skipped >= seg.Start + seg.PreviousOffset)
                {
                    offset = seg.Offset;
                    return seg.Start;
                }
            }

            if (match < 0 && seg.PreviousOffset <= seg.Offset)
            {
                return -1; // every earlier wall time is below the one searched from
            }

            t = seg.Start - 1;
            incl = true;
        }

        return -1;
    }

    private static long Utc(long ticks) => ticks < 0 || ticks > CalendarMath.MaxTicks ? -1 : ticks;
}
