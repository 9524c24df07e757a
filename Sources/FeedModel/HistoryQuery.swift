/// Which stored messages to read. Every filter given must hold; results come in publish order.
/// The question both sides of the history share: FeedHistory's `HistoryStore` answers it from a
/// file, the replay service over the wire, and clients page through either the same way.
public struct HistoryQuery: Sendable, Equatable {
    /// Topics that start with any of these prefixes, bytewise; `[.all]` (the default) for
    /// everything, heartbeats included. Never empty. Prefixes may overlap (`NASDAQ.` and
    /// `NASDAQ.AAPL`): a message matching several still comes once.
    public var prefixes: [TopicPrefix]
    /// Messages published at or after this time.
    public var since: Timestamp?
    /// Messages published before this time.
    public var until: Timestamp?
    /// Messages with `feed_seq >= fromSequence`, within ``session`` (the latest session when
    /// ``session`` is nil).
    public var fromSequence: UInt64?
    /// Messages with `feed_seq <= toSequence`, within ``session`` (the latest session when
    /// ``session`` is nil). A query bounded so ends as soon as it passes that sequence.
    public var toSequence: UInt64?
    /// Messages of this session only.
    public var session: UInt32?
    /// At most this many messages in total. Honoured by FeedHistory's `HistoryStore.queryAll(_:)`;
    /// `HistoryStore.query(_:after:maxMessages:)` serves one page and leaves it to the caller,
    /// who passes the remaining count as `maxMessages` (``HistoryPage`` explains why).
    public var limit: Int?

    /// A query; the defaults match every message.
    public init(
        prefixes: [TopicPrefix] = [.all], since: Timestamp? = nil, until: Timestamp? = nil, fromSequence: UInt64? = nil,
        toSequence: UInt64? = nil, session: UInt32? = nil, limit: Int? = nil
    ) {
        self.prefixes = prefixes
        self.since = since
        self.until = until
        self.fromSequence = fromSequence
        self.toSequence = toSequence
        self.session = session
        self.limit = limit
    }

    /// A query of the topics under one prefix: `prefixes` is `[prefix]`.
    public init(
        prefix: TopicPrefix, since: Timestamp? = nil, until: Timestamp? = nil, fromSequence: UInt64? = nil,
        toSequence: UInt64? = nil, session: UInt32? = nil, limit: Int? = nil
    ) {
        self.init(
            prefixes: [prefix], since: since, until: until, fromSequence: fromSequence, toSequence: toSequence,
            session: session, limit: limit)
    }
}

/// Where the next page of a query starts: a block id and the position of the next message in
/// that block. Its text form `BLOCK:INDEX` (``description``, ``init(_:)``) travels in JSON requests.
public struct HistoryCursor: Sendable, Hashable, CustomStringConvertible {
    /// The `blocks.block_id` to continue in.
    public var blockID: Int64
    /// The position, counted from 0 over all messages of the block, of the first message to consider.
    public var index: Int

    /// The cursor at message `index` of block `blockID`.
    public init(blockID: Int64, index: Int) {
        self.blockID = blockID
        self.index = index
    }

    /// Parses `BLOCK:INDEX` (two non-negative decimal integers); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (48...57).contains($0) } }),
            let blockID = Int64(parts[0]), let index = Int(parts[1])
        else { return nil }
        self.init(blockID: blockID, index: index)
    }

    /// `BLOCK:INDEX`.
    public var description: String { "\(blockID):\(index)" }
}

/// One page of a query's results.
///
/// The store keeps no state between pages: the cursor says where to go on, and a caller that
/// wants a ``HistoryQuery/limit`` over all pages counts what it received and asks for at most
/// the remainder (as `FeedClientKit`'s `forEachPage` does).
public struct HistoryPage: Sendable {
    /// The matching messages, in publish order.
    public var messages: MessageBlock
    /// Where the next page starts: the position of the next matching message; nil when no
    /// message after this page matches (the query is exhausted).
    public var next: HistoryCursor?
    /// On a query's first page, when the query reaches into history that retention deleted:
    /// where the history starts now. Never a silently short answer.
    public var expired: HistoryExpiry?
    /// Blocks found damaged and skipped while reading this page, in publish order: the
    /// messages they held are missing from it.
    public var skipped: [SkippedBlock]

    /// A page of `messages`, continued at `next`.
    public init(messages: MessageBlock, next: HistoryCursor?, expired: HistoryExpiry? = nil, skipped: [SkippedBlock] = []) {
        self.messages = messages
        self.next = next
        self.expired = expired
        self.skipped = skipped
    }
}

/// One page of a last-value snapshot.
public struct SnapshotPage: Sendable {
    /// The last message of each topic of the page that has one, in the page's topic order.
    public var messages: MessageBlock
    /// Where the next page starts, passed as `after`; nil when the snapshot is complete.
    public var next: String?
    /// Blocks found damaged and skipped while reading this page: a topic whose last message was
    /// in one has the last value before it, or is absent.
    public var skipped: [SkippedBlock]

    /// A page of `messages`, continued after `next`.
    public init(messages: MessageBlock, next: String?, skipped: [SkippedBlock] = []) {
        self.messages = messages
        self.next = next
        self.skipped = skipped
    }
}
