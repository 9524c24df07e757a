/// What history replies and `status` say about history that retention deleted or that was
/// found damaged: types shared by FeedHistory, the replay service and clients, sent as JSON.

/// What a query is told when it reaches into history retention deleted: the first publish
/// time the history still holds, and for a query within one session, the highest feed
/// sequence of that session deleted.
public struct HistoryExpiry: Codable, Sendable, Equatable, CustomStringConvertible {
    /// The earliest publish time still held (ns since 1970), or nil when nothing is held.
    public var retainedFrom: Int64?
    /// The query's session, when it names one (or bounds sequences), and its highest feed
    /// sequence deleted.
    public var session: UInt32?
    public var expiredThroughSequence: UInt64?
    /// For a query of no one session (by time, or of everything): the sessions that lost
    /// messages it reaches (published at or after its `since`), oldest first, at most
    /// ``maximumExpiredSessions``, each with its highest feed sequence deleted. Absent from
    /// servers before it, and for a query within one session.
    public var expiredSessions: [ExpiredSession]?

    /// The most sessions ``expiredSessions`` lists: the latest ones.
    public static let maximumExpiredSessions = 16

    public init(
        retainedFrom: Int64?, session: UInt32? = nil, expiredThroughSequence: UInt64? = nil, expiredSessions: [ExpiredSession]? = nil
    ) {
        self.retainedFrom = retainedFrom
        self.session = session
        self.expiredThroughSequence = expiredThroughSequence
        self.expiredSessions = expiredSessions
    }

    /// "retained from 2026-11-26T10:00:00.000000000Z", the phrase clients print.
    public var description: String {
        guard let retainedFrom else { return "nothing retained" }
        return "retained from \(Timestamp(nanoseconds: retainedFrom))"
    }

    enum CodingKeys: String, CodingKey {
        case session
        case retainedFrom = "retained_from"
        case expiredThroughSequence = "expired_through_seq"
        case expiredSessions = "expired_sessions"
    }
}

/// A session that lost messages to retention, named in ``HistoryExpiry/expiredSessions``: its
/// feed sequences 1 through ``expiredThroughSequence`` are gone.
public struct ExpiredSession: Codable, Sendable, Equatable {
    public var session: UInt32
    public var expiredThroughSequence: UInt64

    public init(session: UInt32, expiredThroughSequence: UInt64) {
        self.session = session
        self.expiredThroughSequence = expiredThroughSequence
    }

    enum CodingKeys: String, CodingKey {
        case session
        case expiredThroughSequence = "expired_through_seq"
    }
}

/// A stored block a query found damaged and skipped: what it held, as far as its row can
/// still be read, and why. Queries report these instead of failing or answering short in silence.
public struct SkippedBlock: Codable, Sendable, Equatable, CustomStringConvertible {
    public var blockID: Int64
    /// The block's session and feed sequences, when its row could be read.
    public var session: UInt32?
    public var feedSequences: ClosedRange<UInt64>?
    /// What was wrong, one line.
    public var reason: String

    public init(blockID: Int64, session: UInt32?, feedSequences: ClosedRange<UInt64>?, reason: String) {
        self.blockID = blockID
        self.session = session
        self.feedSequences = feedSequences
        self.reason = reason
    }

    /// "block 7 (session 1762000000 feed_seq 4097-8192) damaged, skipped: ..."
    public var description: String {
        var text = "block \(blockID)"
        if let session, let feedSequences {
            text += " (session \(session) feed_seq \(feedSequences.lowerBound)-\(feedSequences.upperBound))"
        }
        return text + " damaged, skipped: \(reason)"
    }

    enum CodingKeys: String, CodingKey {
        case session, reason
        case blockID = "block"
        case feedSequences = "feed_seq"
    }
}

/// The publish times a history holds and its size (FeedHistory's `HistoryStore.retainedRange()`), reported by `status`.
public struct RetainedRange: Codable, Sendable, Equatable {
    /// Publish time of the oldest message kept (ns since 1970), nil for an empty history.
    public var firstTime: Int64?
    /// Latest publish time recorded, nil for an empty history.
    public var lastTime: Int64?
    /// The file's size (its pages, without the write-ahead log).
    public var fileBytes: Int64
    /// Of ``fileBytes``, the pages in use; the rest are free pages that new blocks reuse.
    public var bytesInUse: Int64
    /// Messages deleted by retention, over the file's life.
    public var expiredMessages: UInt64

    public init(firstTime: Int64?, lastTime: Int64?, fileBytes: Int64, bytesInUse: Int64, expiredMessages: UInt64) {
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.fileBytes = fileBytes
        self.bytesInUse = bytesInUse
        self.expiredMessages = expiredMessages
    }

    enum CodingKeys: String, CodingKey {
        case firstTime = "first_time_ns"
        case lastTime = "last_time_ns"
        case fileBytes = "file_bytes"
        case bytesInUse = "bytes_in_use"
        case expiredMessages = "expired_messages"
    }
}
