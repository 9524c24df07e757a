/// Requests and replies of the replay service (ROUTER), sent as JSON text frames.
///
/// A client (DEALER, or REQ) sends one frame holding a JSON ``ReplayRequest``. The server answers
/// with two frames: a JSON ``ReplayReply`` and a ``MessageBlock`` (empty on errors). History is
/// served one bounded page per request; the client asks for the next page with the reply's
/// `next` cursor: the client pulls. The reply echoes the request's `id`, so a client that gave
/// up waiting can tell a late reply from the one it is waiting for.
public struct ReplayRequest: Codable, Sendable, Equatable {
    /// What is asked for.
    public enum Operation: String, Codable, Sendable {
        /// Messages matching the prefixes and a range, one page per request.
        case history
        /// The latest message of every matching topic, as of `until` (or now), one page of
        /// topics (in bytewise order) per request.
        case snapshot
        /// The server's session, latest sequence and counters.
        case status
    }

    /// The most prefixes one request may list in ``prefixes``: at 49 bytes, the longest
    /// prefix, and 3 bytes of JSON around each, they take 52,000 bytes of the 64 KiB a request
    /// frame may have. A client with more asks once per group of prefixes.
    public static let maximumPrefixes = 1000

    public var op: Operation
    /// One topic prefix (`""`: everything); absent with ``prefixes`` absent: everything.
    public var prefix: String?
    /// Several topic prefixes, 1 to ``maximumPrefixes`` of them; a topic matching any of them
    /// matches, once. Not together with ``prefix``.
    public var prefixes: [String]?
    /// Publish time lower bound, nanoseconds, inclusive.
    public var since: Int64?
    /// Publish time upper bound, nanoseconds, exclusive.
    public var until: Int64?
    /// Feed sequence lower bound, inclusive (within `session`, default the latest).
    public var fromSeq: UInt64?
    /// Feed sequence upper bound, inclusive (within `session`, default the latest).
    public var toSeq: UInt64?
    public var session: UInt32?
    /// At most this many messages from ``cursor`` on (`history` only): the reply holds at most
    /// that many and, when the limit ends it, no `next`. The server keeps no state between
    /// pages, so a client paging with a limit sends what it still wants on each request.
    public var limit: Int?
    /// Where this page starts: the `next` of the previous reply (for `snapshot`, a topic:
    /// the page holds the topics after it).
    public var cursor: String?
    /// Largest page the client wants; the server caps it at its own maximum.
    public var pageSize: Int?
    /// Chosen by the client, echoed in the reply.
    public var id: UInt64?

    public init(
        op: Operation, prefix: String? = nil, prefixes: [String]? = nil, since: Int64? = nil, until: Int64? = nil,
        fromSeq: UInt64? = nil, toSeq: UInt64? = nil, session: UInt32? = nil, limit: Int? = nil, cursor: String? = nil,
        pageSize: Int? = nil, id: UInt64? = nil
    ) {
        self.op = op
        self.prefix = prefix
        self.prefixes = prefixes
        self.since = since
        self.until = until
        self.fromSeq = fromSeq
        self.toSeq = toSeq
        self.session = session
        self.limit = limit
        self.cursor = cursor
        self.pageSize = pageSize
        self.id = id
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case op, prefix, prefixes, since, until, session, limit, cursor, id
        case fromSeq = "from_seq"
        case toSeq = "to_seq"
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
    /// The request's `id`, when it had one the server could read.
    public var id: UInt64?
    /// `history`, first page (no cursor): the query reaches into history that retention
    /// deleted, and where the history starts now. Absent otherwise.
    public var expired: HistoryExpiry?
    /// Blocks found damaged and skipped while serving this page: their messages are missing.
    /// Absent when none.
    public var skipped: [SkippedBlock]?

    public init(
        ok: Bool, error: String? = nil, count: Int = 0, next: String? = nil, status: ServerStatus? = nil, id: UInt64? = nil,
        expired: HistoryExpiry? = nil, skipped: [SkippedBlock]? = nil
    ) {
        self.ok = ok
        self.error = error
        self.count = count
        self.next = next
        self.status = status
        self.id = id
        self.expired = expired
        self.skipped = skipped
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
    /// Messages published that the history could not store (a full disk, say): the recorder gave
    /// them up after retrying, so the history is settled through `recorded + unrecorded` and
    /// has a hole there. Absent (nil) from servers that never count it.
    public var unrecorded: UInt64?
    /// Ingest messages dropped, by reason kind (see `WireError.kind`).
    public var rejected: [String: UInt64]
    public var subscriptions: UInt64
    /// The replay service's own counters (filled in by the replay service).
    public var replay: ReplayServiceCounters?
    /// The range of publish times the history holds and its size (filled in by the replay
    /// service); absent from servers before retention.
    public var history: RetainedRange?
    /// Live connections per endpoint: `publish`, `ingest`, `replay`. Absent from older servers.
    public var connections: [String: UInt64]?
    /// Connections closed at once because their endpoint held as many as it may (a share of the
    /// process's descriptors), per endpoint. Absent from older servers.
    public var refusedConnections: [String: UInt64]?
    /// Subscribers the server disconnected, by reason: `too_many_subscriptions`,
    /// `subscription_too_long`, `slow`. Absent from older servers.
    public var droppedSubscribers: [String: UInt64]?
    /// Messages each subscriber's queue may hold now: the subscriber memory budget shared by the
    /// connected subscribers, at most `--send-hwm`. Absent from older servers.
    public var subscriberQueueLimit: Int64?
    /// CURVE handshakes refused because the client's key is not in the clients folder; absent
    /// (nil) from servers without CURVE.
    public var refusedKeys: UInt64?
    /// Subscriptions of CURVE subscribers with no entitled part (nothing applied); absent (nil)
    /// from servers without CURVE.
    public var notEntitledSubscriptions: UInt64?

    public init(
        session: UInt32, lastFeedSeq: UInt64, published: UInt64, recorded: UInt64, unrecorded: UInt64? = nil,
        rejected: [String: UInt64], subscriptions: UInt64, replay: ReplayServiceCounters? = nil,
        connections: [String: UInt64]? = nil, refusedConnections: [String: UInt64]? = nil,
        droppedSubscribers: [String: UInt64]? = nil, subscriberQueueLimit: Int64? = nil, history: RetainedRange? = nil
    ) {
        self.history = history
        self.connections = connections
        self.refusedConnections = refusedConnections
        self.droppedSubscribers = droppedSubscribers
        self.subscriberQueueLimit = subscriberQueueLimit
        self.session = session
        self.lastFeedSeq = lastFeedSeq
        self.published = published
        self.recorded = recorded
        self.unrecorded = unrecorded
        self.rejected = rejected
        self.subscriptions = subscriptions
        self.replay = replay
    }

    enum CodingKeys: String, CodingKey {
        case session, published, recorded, unrecorded, rejected, subscriptions, replay, history, connections
        case lastFeedSeq = "last_feed_seq"
        case refusedConnections = "refused_connections"
        case droppedSubscribers = "dropped_subscribers"
        case subscriberQueueLimit = "subscriber_queue_limit"
        case refusedKeys = "refused_keys"
        case notEntitledSubscriptions = "not_entitled_subscriptions"
    }
}

/// What the replay service has done since the server started.
public struct ReplayServiceCounters: Codable, Sendable, Equatable {
    /// Requests read, answered or not.
    public var requests: UInt64
    /// Replies not sent because the client already had as many unread replies queued as the
    /// server allows (it is not reading), or had gone.
    public var droppedReplies: UInt64

    public init(requests: UInt64, droppedReplies: UInt64) {
        self.requests = requests
        self.droppedReplies = droppedReplies
    }

    enum CodingKeys: String, CodingKey {
        case requests
        case droppedReplies = "dropped_replies"
    }
}
