import FeedModel

/// Where a late joiner's stream begins before it merges into the live feed.
public enum ReplayStart: Sendable, Equatable, CustomStringConvertible {
    /// Live only, from now.
    case live
    /// From the first message of the publisher's current session.
    case sessionStart
    /// From this feed sequence of the current session.
    case sequence(UInt64)
    /// From this publish time, across sessions.
    case time(Timestamp)
    /// The latest message of every matching topic (a last-value cache), then live.
    case snapshot

    /// Parses `start`, `snapshot`, a feed sequence (digits), or a time (ISO 8601 or relative
    /// like `-5m`; see ``Timestamp/init(parsing:now:)``).
    public init(parsing text: String) throws(TimestampError) {
        switch text {
        case "start": self = .sessionStart
        case "snapshot": self = .snapshot
        case "live", "now": self = .live
        default:
            if let sequence = UInt64(text) {
                self = .sequence(sequence)
            } else {
                self = .time(try Timestamp(parsing: text))
            }
        }
    }

    public var description: String {
        switch self {
        case .live: "live"
        case .sessionStart: "start"
        case .sequence(let sequence): "seq \(sequence)"
        case .time(let time): "\(time)"
        case .snapshot: "snapshot"
        }
    }
}
