/// Requests and replies of the replay service (ROUTER), sent as JSON text frames.
///
/// A client (DEALER, or REQ) sends one frame holding a JSON ``ReplayRequest``. The server answers
/// with two frames: a JSON ``ReplayReply`` and a ``MessageBlock`` (empty on errors). History is
/// served one bounded page per request; the client asks for the next page with the reply's
/// `next` cursor, so a slow reader never makes the server buffer: the client pulls.
public struct ReplayRequest: Codable, Sendable, Equatable {
    /// What is asked for.
    public enum Operation: String, Codable, Sendable {
        /// Messages matching a prefix and a range, one page per request.
        case history
        /// The latest message of every matching topic, as of `until` (or now).
        case snapshot
        /// The server's session, latest sequence and counters.
        case status
    }

    public var op: Operation
    public var prefix: String?
    /// Publish time lower bound, nanoseconds, inclusive.
    public var since: Int64?
    /// Publish time upper bound, nanoseconds, exclusive.
    public var until: Int64?
    /// Feed sequence lower bound, inclusive (within `session`, default the latest).
    public var fromSeq: UInt64?
    public var session: UInt32?
    /// Messages wanted in total over all pages.
    public var limit: Int?
    /// Where this page starts: the `next` of the previous reply.
    public var cursor: String?
    /// Largest page the client wants; the server caps it at its own maximum.
    public var pageSize: Int?

    public init(
        op: Operation, prefix: String? = nil, since: Int64? = nil, until: Int64? = nil, fromSeq: UInt64? = nil,
        session: UInt32? = nil, limit: Int? = nil, cursor: String? = nil, pageSize: Int? = nil
    ) {
        self.op = op
        self.prefix = prefix
        self.since = since
        self.until = until
        self.fromSeq = fromSeq
        self.session = session
        self.limit = limit
        self.cursor = cursor
        self.pageSize = pageSize
    }

    enum CodingKeys: String, CodingKey {
        case op, prefix, since, until, session, limit, cursor
        case fromSeq = "from_seq"
        case pageSize = "page_size"
    }
}

/// The first frame of every replay answer.
public struct ReplayReply: Codable, Sendable, Equatable {
    public var ok: Bool
    /// Why the request failed, one line, when `ok` is false.
    public var error: String?
    /// Messages in the block frame that follows.
    public var count: Int
    /// Cursor for the next page; absent when the answer is complete.
    public var next: String?
    /// For `status`: the server's numbers.
    public var status: ServerStatus?

    public init(ok: Bool, error: String? = nil, count: Int = 0, next: String? = nil, status: ServerStatus? = nil) {
        self.ok = ok
        self.error = error
        self.count = count
        self.next = next
        self.status = status
    }
}

/// What a running server reports about itself.
public struct ServerStatus: Codable, Sendable, Equatable {
    public var session: UInt32
    /// Latest feed sequence published in this session (0 before the first message).
    public var lastFeedSeq: UInt64
    public var published: UInt64
    /// Messages of this session written to the history. A session is recorded in order from
    /// feed sequence 1, so this is also the last sequence a history query can return now:
    /// a client waits for it to pass a sequence before asking for history up to there.
    public var recorded: UInt64
    /// Ingest messages dropped, by reason kind (see `WireError.kind`).
    public var rejected: [String: UInt64]
    public var subscriptions: UInt64

    public init(
        session: UInt32, lastFeedSeq: UInt64, published: UInt64, recorded: UInt64, rejected: [String: UInt64],
        subscriptions: UInt64
    ) {
        self.session = session
        self.lastFeedSeq = lastFeedSeq
        self.published = published
        self.recorded = recorded
        self.rejected = rejected
        self.subscriptions = subscriptions
    }

    enum CodingKeys: String, CodingKey {
        case session, published, recorded, rejected, subscriptions
        case lastFeedSeq = "last_feed_seq"
    }
}
