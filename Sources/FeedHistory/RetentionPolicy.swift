import FeedModel

/// How much history a server keeps (`feed-server --retain`, `--retain-size`): the oldest
/// segments go once they are older than ``maximumAge`` or once the history's pages in use
/// exceed ``maximumBytes``. Nil limits keep everything.
///
/// The file stops growing: SQLite puts the pages of deleted rows on its free list and the
/// recorder's next blocks reuse them, so the file settles at about ``maximumBytes`` plus one
/// segment and the write-ahead log (``diskNeeded(maximumBytes:)``).
public struct RetentionPolicy: Sendable, Equatable {
    /// Keep messages published within this many nanoseconds of now.
    public var maximumAge: Int64?
    /// Keep the history's pages in use under about this many bytes.
    public var maximumBytes: Int64?

    public init(maximumAge: Int64? = nil, maximumBytes: Int64? = nil) {
        self.maximumAge = maximumAge
        self.maximumBytes = maximumBytes
    }

    /// Whether anything is ever deleted.
    public var deletes: Bool { maximumAge != nil || maximumBytes != nil }

    /// Room on disk a history kept under `maximumBytes` needs at most: the limit, the segment
    /// being filled and the one being deleted (a segment is about 65,536 messages, under 64 MiB
    /// even for the largest messages), the write-ahead log (`journal_size_limit`, 64 MiB) and
    /// what SQLite's free list holds between deletion and reuse (one segment). For a doctor's
    /// free-disk check.
    public static func diskNeeded(maximumBytes: Int64) -> Int64 {
        let segmentBytes: Int64 = 64 << 20
        let walBytes = Int64(HistorySchema.pageSize * HistorySchema.walCheckpointPages)
        return maximumBytes + 3 * segmentBytes + walBytes
    }
}

/// What retention deleted in one transaction: the oldest segment.
public struct ExpiredSegment: Sendable, Equatable {
    public var blocks: Int
    public var messages: Int
    /// The latest publish time deleted.
    public var throughTime: Int64
}
