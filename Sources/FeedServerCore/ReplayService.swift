import FeedHistory
import FeedModel
import Foundation
import Logging
import ZeroMQ

/// Serves history and snapshots over a ROUTER socket on its own thread: one bounded page per
/// request.
///
/// Rules:
/// 1. The client pulls: each reply carries at most a page of messages (``pageByteLimit`` bytes
///    at most, whatever page limit is configured) and a cursor for the next, for `history` and
///    `snapshot` alike.
/// 2. The server queues at most ``unreadRepliesPerClient`` unread replies per client
///    (ZMQ_SNDHWM with ZMQ_ROUTER_MANDATORY): a reply to a client that has that many waiting,
///    or has gone, is dropped and counted, never queued. A client that never reads therefore
///    costs the server a few pages, not a page per request.
/// 3. Bad requests get an error reply naming the mistake, never a crash; a reply echoes the
///    request's `id`.
/// 4. A `history` request's `limit` counts from its cursor: the reply holds at most that many
///    messages, and when the limit is what ended it, it has no `next` (the answer is complete).
///    The service keeps no state between pages, so a client paging with a limit sends what it
///    still wants as `limit` on each request.
/// 5. A `history` reply says when the query reaches into history retention deleted (`expired`,
///    first page) and which damaged blocks it skipped (`skipped`, also logged): never a short
///    answer in silence, never a crash.
///
/// Stops on a message to its control endpoint, or when the context is shut down.
final class ReplayService {
    /// Replies a client may leave unread before further replies to it are dropped.
    static let unreadRepliesPerClient: Int32 = 4
    /// Largest block of messages in one reply, in bytes.
    static let pageByteLimit = 4 << 20
    /// The most messages that fit in ``pageByteLimit`` whatever their topics and types.
    static let pageMessageLimit = pageByteLimit / (4 + Topic.maximumLength + WireLayout.maximumBodyLength)

    private let router: ZMQSocket
    /// The endpoint as bound (wildcard port resolved).
    let endpoint: String
    private let clients: ConnectionGuard
    private let control: ZMQSocket
    private let store: HistoryStore
    private let pageLimit: Int
    /// With CURVE: who may ask for what (clients are told apart by their ZAP `User-Id`).
    private let allowList: ClientAllowList?
    /// With CURVE: closes the connections of revoked clients.
    private var revoked: RevokedConnections?
    private let statusProvider: @Sendable () -> ServerStatus
    private let logger: Logger
    private let frames = ZMQMultipartMessage(capacity: 4)
    private let encoder = JSONEncoder()
    private var counters = ReplayServiceCounters(requests: 0, droppedReplies: 0)
    private let metrics = ReplayMetrics()

    init(
        context: ZMQContext, endpoint: String, controlEndpoint: String, store: HistoryStore, pageLimit: Int,
        connectionLimit: Int, counters: ServerCounters, clients curve: CurveServerSettings?,
        status: @escaping @Sendable () -> ServerStatus, logger: Logger
    ) throws {
        control = try ControlChannel.bind(context, controlEndpoint)
        router = try ZMQSocket(context, .router)
        try router.set(.linger, 0)
        try router.set(.maxMessageSize, 64 * 1024)
        try router.set(.sendHighWaterMark, Self.unreadRepliesPerClient)
        try router.set(.routerMandatory, 1)
        let listening = try ListeningEndpoints(
            socket: router, endpoints: [endpoint], role: "replay", connectionLimit: connectionLimit, curve: curve,
            counters: counters, logger: logger)
        clients = listening.connections
        self.endpoint = listening.endpoints[0]
        allowList = curve?.clients
        revoked = curve.map { RevokedConnections(clients: $0.clients, logger: logger) }
        self.store = store
        self.pageLimit = min(pageLimit, Self.pageMessageLimit)
        statusProvider = status
        self.logger = logger
    }


    func run() {
        do {
            while true {
                // With CURVE, a turn at least every half second, for revoked clients.
                let ready = try ZMQPoller.poll(
                    [control, router, clients.eventSocket], timeoutMilliseconds: revoked == nil ? -1 : 500)
                if ready[0] { return }
                try revoked?.closeRevoked(on: clients)
                if ready[1], try router.receive(into: frames, dontWait: true) {
                    try revoked?.noteSender(of: frames, frame: min(frames.count, frames.capacity) - 1, on: clients)
                    let startedAt = MonotonicClock.nanoseconds()
                    if let (operation, ok) = try answer() { metrics.answered(operation, ok: ok, startedAt: startedAt) }
                }
                if ready[2] { try clients.update() }
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.debug("replay service stopping")
        } catch {
            logger.critical("replay service stopped on error: \(error)")
        }
    }

    /// Where a reply goes: the client's identity, and whether a REQ socket's empty delimiter
    /// frame must come back before the reply.
    private struct Envelope {
        let identity: [UInt8]
        let delimiter: Bool
        let id: UInt64?
    }

    /// Answers the request received; returns its operation and whether it was served.
    private func answer() throws -> (ReplayMetrics.Operation, ok: Bool)? {
        counters.requests += 1
        // [identity][request] from DEALER, [identity][empty][request] from REQ.
        guard frames.count >= 1 else { return nil }
        let identity = Array(frames[0])
        let isRequestEnvelope = frames.count == 3 && frames[1].isEmpty
        guard frames.count == 2 || isRequestEnvelope, frames.count <= frames.capacity else {
            let delimiter = frames.count >= 3 && frames[1].isEmpty
            let envelope = Envelope(identity: identity, delimiter: delimiter, id: nil)
            try reply(envelope, error: "expected one request frame (after an empty delimiter frame from REQ), got \(frames.count - 1)")
            return (.malformed, false)
        }
        let requestBytes = Array(frames[frames.count - 1])
        var envelope = Envelope(identity: identity, delimiter: isRequestEnvelope, id: ReplayRequestReader.id(in: requestBytes))
        let request: ReplayRequest
        do {
            request = try ReplayRequestReader.read(requestBytes)
        } catch {
            try reply(envelope, error: "malformed request: \(error)")
            return (.malformed, false)
        }
        envelope = Envelope(identity: identity, delimiter: isRequestEnvelope, id: request.id)
        do {
            let sender = allowList?.entitlements(ofSenderOf: frames, frame: frames.count - 1)
            var (reply, block) = try serve(try sender.map { try ReplayEntitlements.restrict(request, to: $0) } ?? request)
            reply.id = request.id
            try send(envelope, reply: reply, block: block)
            return (ReplayMetrics.Operation(request.op), true)
        } catch {
            try reply(envelope, error: "\(error)")
            return (ReplayMetrics.Operation(request.op), false)
        }
    }

    private func serve(_ request: ReplayRequest) throws -> (ReplayReply, MessageBlock) {
        switch request.op {
        case .status:
            var status = statusProvider()
            status.replay = counters
            return (ReplayReply(ok: true, status: status), MessageBlock())
        case .history:
            let query = try ReplayQuery.historyQuery(from: request)
            let cursor = try request.cursor.map { text in
                guard let cursor = HistoryCursor(text) else { throw ReplayRequestError("bad cursor '\(text)'") }
                return cursor
            }
            // Rule 4.
            if request.limit == 0 { return (ReplayReply(ok: true), MessageBlock()) }
            let page = try store.query(query, after: cursor, maxMessages: min(try pageSize(request), request.limit ?? .max))
            let limitReached = page.messages.count == request.limit
            for skipped in page.skipped { logger.error("history \(store.path): \(skipped)") }
            return (
                ReplayReply(
                    ok: true, count: page.messages.count, next: limitReached ? nil : page.next?.description,
                    expired: page.expired, skipped: page.skipped.isEmpty ? nil : page.skipped),
                page.messages
            )
        case .snapshot:
            let page = try store.snapshot(
                prefixes: try ReplayQuery.prefixes(of: request), at: request.until.map(Timestamp.init(nanoseconds:)),
                after: try ReplayQuery.snapshotCursor(request.cursor), maxMessages: try pageSize(request))
            for skipped in page.skipped { logger.error("history \(store.path): \(skipped)") }
            return (
                ReplayReply(ok: true, count: page.messages.count, next: page.next, skipped: page.skipped.isEmpty ? nil : page.skipped),
                page.messages
            )
        }
    }

    /// The page size asked for, capped at the server's page limit (rule 1).
    private func pageSize(_ request: ReplayRequest) throws -> Int {
        min(try ReplayQuery.pageSize(request.pageSize) ?? pageLimit, pageLimit)
    }

    private func reply(_ envelope: Envelope, error: String) throws {
        logger.info("replay request rejected: \(error)")
        try send(envelope, reply: ReplayReply(ok: false, error: error, id: envelope.id), block: MessageBlock())
    }

    /// Queues the reply, or drops it when the client already has its share of unread replies
    /// queued or is gone (rule 2).
    private func send(_ envelope: Envelope, reply: ReplayReply, block: MessageBlock) throws {
        let queued: Bool
        do {
            queued = try router.send(envelope.identity, more: true, dontWait: true)
        } catch let error as ZMQError where error.code == EHOSTUNREACH {
            queued = false
        }
        guard queued else {
            counters.droppedReplies += 1
            metrics.droppedReply()
            let count = counters.droppedReplies
            logger.warning(
                occurrence: count,
                "replay reply dropped (#\(count)): the client has \(Self.unreadRepliesPerClient) unread replies queued or is gone")
            return
        }
        // Once the first frame is queued, libzmq takes the rest of the message whole.
        if envelope.delimiter { try router.send([UInt8](), more: true) }
        try router.send(Array(try encoder.encode(reply)), more: true)
        try router.send(block.bytes)
    }
}

@available(*, unavailable)
extension ReplayService: Sendable {}

/// Turns a replay request into a validated history query.
enum ReplayQuery {
    /// The request's `prefix` or `prefixes` (everything when neither is given), each checked.
    static func prefixes(of request: ReplayRequest) throws -> [TopicPrefix] {
        switch (request.prefix, request.prefixes) {
        case (.some, .some):
            throw ReplayRequestError("give 'prefix' or 'prefixes', not both")
        case (let text?, nil):
            do { return [try TopicPrefix(text)] } catch { throw ReplayRequestError("\(error)") }
        case (nil, nil):
            return [.all]
        case (nil, let texts?):
            if texts.isEmpty { throw ReplayRequestError("'prefixes' is empty: give at least one prefix (\"\" is everything)") }
            if texts.count > ReplayRequest.maximumPrefixes {
                throw ReplayRequestError("'prefixes' lists \(texts.count) prefixes, more than \(ReplayRequest.maximumPrefixes)")
            }
            return try texts.enumerated().map { index, text in
                do { return try TopicPrefix(text) } catch { throw ReplayRequestError("'prefixes' item \(index): \(error)") }
            }
        }
    }

    /// A snapshot's cursor: the topic the previous page ended with.
    static func snapshotCursor(_ text: String?) throws -> String? {
        guard let text else { return nil }
        do { _ = try Array(text.utf8).withUnsafeBytes { try Topic.check($0) } } catch {
            throw ReplayRequestError("bad cursor '\(text.prefix(60))': a snapshot continues after a topic")
        }
        return text
    }

    static func historyQuery(from request: ReplayRequest) throws -> HistoryQuery {
        if let since = request.since, let until = request.until, since >= until {
            throw ReplayRequestError(
                "empty time range: since \(Timestamp(nanoseconds: since)) is not before until \(Timestamp(nanoseconds: until))")
        }
        if let from = request.fromSeq, let to = request.toSeq, from > to {
            throw ReplayRequestError("empty sequence range: from_seq \(from) is after to_seq \(to)")
        }
        if let limit = request.limit, limit < 0 { throw ReplayRequestError("limit must not be negative, got \(limit)") }
        return HistoryQuery(
            prefixes: try prefixes(of: request), since: request.since.map(Timestamp.init(nanoseconds:)),
            until: request.until.map(Timestamp.init(nanoseconds:)), fromSequence: request.fromSeq,
            toSequence: request.toSeq, session: request.session, limit: request.limit)
    }

    /// A page size asked for: positive, or absent.
    static func pageSize(_ size: Int?) throws -> Int? {
        if let size, size <= 0 { throw ReplayRequestError("page_size must be positive, got \(size)") }
        return size
    }
}
