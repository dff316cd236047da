namespace TickEngine.Storage.Format;

/// <summary>Session and gap markers stored in the status schema (FORMAT.md, "status").</summary>
public enum StatusKind : byte
{
    /// <summary>A connection to the exchange was opened.</summary>
    Connect = 1,
    /// <summary>A connection was lost or closed; data until the next Connect may be missing.</summary>
    Disconnect = 2,
    /// <summary>A sequence gap: a = the id expected, b = the id received. The book is untrustworthy until Resync.</summary>
    SequenceGap = 3,
    /// <summary>The book is in sync again (a = the update id it was rebuilt at).</summary>
    Resync = 4,
    /// <summary>A recording started.</summary>
    RecorderStart = 5,
    /// <summary>A recording stopped cleanly.</summary>
    RecorderStop = 6,
    /// <summary>The book was found inconsistent (crossed, or a check against the exchange failed); a resync follows.</summary>
    BookInvalid = 7,
    /// <summary>
    /// Never stored: replay publishes it where it meets a damaged segment (rows past the damage cannot be read);
    /// a book rebuilt from the stored deltas is out of sync from there until the next snapshot.
    /// </summary>
    Damaged = 8,
    /// <summary>
    /// The instrument's rows continue at other decimal scales (a = the new price scale, b = the new quantity scale):
    /// a value the exchange sent did not fit the old ones. Its rows after it are in a new segment part; a book is
    /// republished as a snapshot at the new scales right after it.
    /// </summary>
    ScaleChange = 9,
}
