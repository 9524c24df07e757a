/// What one line of an A/B subscription contributed (``SequencedFeed/lineFigures``), as
/// counted by the line arbitration.
public struct LineFigures: Equatable, Sendable {
    /// The line's publish endpoint.
    public var endpoint = ""
    /// Messages whose first copy came on this line.
    public var first = 0
    /// Copies dropped because another line (or this one) brought them earlier.
    public var laterCopies = 0
    /// Messages this line skipped: jumps in its own topic sequences (a loss at a topic's tail
    /// shows with the topic's next message).
    public var lost: UInt64 = 0
    /// Of those, messages another line brought.
    public var covered: UInt64 = 0

    public init() {}
}
