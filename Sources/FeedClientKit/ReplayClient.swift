import FeedHistory
import FeedModel
import Foundation
import ZeroMQ

/// Asks a feed-server's replay endpoint for history, snapshots and status (DEALER), on the
/// caller's thread.
///
/// Rules:
/// 1. Each call waits at most `timeoutMilliseconds` for its answer, then throws
///    ``ClientError/Kind/unavailable`` saying what it found at the endpoint (nothing listening,
///    no ZeroMQ handshake, a ZeroMQ peer that did not answer). Sending never blocks past that
///    either: a request is handed to libzmq only when it can take it at once.
/// 2. An endpoint that drops the ZeroMQ handshake (a feed-server's publish or ingest endpoint,
///    another kind of socket) fails the call at once, named (the socket monitor shows it).
/// 3. Every request carries a new `id` and only a reply with that `id` answers it: a reply that
///    arrives after its call gave up is read and dropped by a later call, never taken for its answer.
/// 4. A request unanswered after half the timeout is sent once more (requests only read, so
///    asking twice is harmless); the first reply to either copy answers the call. This covers a
///    server that restarted between taking the request and answering it.
public final class ReplayClient {
    private let socket: ZMQSocket
    private let monitor: ZMQMonitor
    private var connection: ConnectionWatch
    private let frames = ZMQMultipartMessage(capacity: 4)
    private var nextID: UInt64 = 1
    /// Writes `/` as is: escaped, a list of prefixes could outgrow the request size limit.
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return encoder
    }()
    public let endpoint: String
    public let timeoutMilliseconds: Int
    /// Replies read and dropped because they answered a request given up on (rule 3).
    public private(set) var staleReplies = 0

    /// A client of `endpoint`. An `inproc://` endpoint is reached through `context`; any other
    /// gets a context of the client's own, because libzmq's socket monitor holds up its
    /// context's I/O thread once about 2,000 of its events wait unread (a probe: a server down
    /// for a minute between two calls, reconnects every 100 ms), and that must stall this
    /// client only, never the caller's other sockets (a subscriber's live feed). Each call reads
    /// the waiting events first.
    /// `curve` connects with CURVE (``ZeroMQ/CurveSecurity/client(serverKey:keys:)``).
    public init(context: ZMQContext, endpoint: String, timeoutMilliseconds: Int = 5000, curve: CurveSecurity? = nil) throws {
        self.endpoint = endpoint
        self.timeoutMilliseconds = timeoutMilliseconds
        socket = try ZMQSocket(endpoint.hasPrefix("inproc://") ? context : ZMQContext(), .dealer)
        try socket.set(.linger, 0)
        if let curve { try socket.secure(curve) }
        monitor = try ZMQMonitor(socket)
        connection = ConnectionWatch(endpoint: endpoint, role: "replay", curve: curve != nil)
        try socket.connect(endpoint)
    }

    /// The server's session, latest sequence and counters.
    public func status() throws -> ServerStatus {
        let (reply, _) = try exchange(ReplayRequest(op: .status))
        guard let status = reply.status else { throw ClientError(.rejected, "\(endpoint): status reply without status") }
        return status
    }

    /// Waits, at most `timeoutMilliseconds`, until a ZeroMQ handshake with the endpoint
    /// completed, without asking anything; throws ``ClientError/Kind/unavailable`` saying what
    /// was found otherwise: a dropped handshake (at once), a listener that completed none, or
    /// nothing listening.
    public func checkEndpoint() throws {
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        try noteConnectionEvents()
        while connection.stage != .ready {
            if deadline.hasExpired {
                throw ClientError(
                    .unavailable,
                    "no replay service at \(endpoint) within \(timeoutMilliseconds) ms: \(connection.explanation(lostSince: connection.losses))")
            }
            _ = try monitor.eventSocket.waitReadable(timeoutMilliseconds: deadline.remainingMilliseconds)
            try noteConnectionEvents()
        }
    }

    private func exchange(_ request: ReplayRequest) throws -> (ReplayReply, MessageBlock) {
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        let resendAt = DeadlineClock(milliseconds: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds / 2)
        try noteConnectionEvents()  // What happened before this call, so that it is not blamed on it.
        let lossesBefore = connection.losses
        var ids: [UInt64] = []
        func copy() throws -> [UInt8] {
            var copy = request
            copy.id = nextID
            ids.append(nextID)
            nextID += 1
            return Array(try encoder.encode(copy))
        }
        var unsent: [UInt8]? = try copy()
        while true {
            try noteConnectionEvents()
            if let bytes = unsent, try socket.send(bytes, dontWait: true) { unsent = nil }
            let resending = ids.count == 1 && unsent == nil
            if resending && resendAt.hasExpired {
                unsent = try copy()
                continue
            }
            // The reply, a connection event, or room for a request not handed to libzmq yet.
            let ready = try ZMQPoller.poll(
                [(socket, unsent == nil ? .readable : [.readable, .writable]), (monitor.eventSocket, .readable)],
                timeoutMilliseconds: resending ? resendAt.remainingMilliseconds : deadline.remainingMilliseconds)
            if ready[0].contains(.readable), try socket.receive(into: frames, dontWait: true) {
                let reply = try readReply()
                guard let id = reply.id, ids.contains(id) else {
                    staleReplies += 1
                    continue
                }
                guard reply.ok else { throw ClientError(.rejected, "\(endpoint): \(reply.error ?? "request failed")") }
                return (reply, MessageBlock(bytes: Array(frames[1]), count: reply.count))
            }
            if deadline.hasExpired {
                throw ClientError(
                    .unavailable,
                    "no answer from \(endpoint) within \(timeoutMilliseconds) ms: \(connection.explanation(lostSince: lossesBefore))")
            }
        }
    }

    /// Applies the connection events that arrived; throws when the endpoint refused the
    /// handshake (rule 2).
    private func noteConnectionEvents() throws {
        while let event = try monitor.next(timeoutMilliseconds: 0) {
            connection.note(.init(event))
            if connection.stage == .refused { throw ClientError(.unavailable, connection.refusal) }
        }
    }

    private func readReply() throws -> ReplayReply {
        guard frames.count == 2 else { throw ClientError(.rejected, "\(endpoint): reply has \(frames.count) frames, expected 2") }
        do {
            return try JSONDecoder().decode(ReplayReply.self, from: Data(frames[0]))
        } catch {
            throw ClientError(.rejected, "\(endpoint): unreadable reply")
        }
    }
}

extension ReplayClient: HistorySource {
    /// One page of `query`, all its prefixes in one request (at most
    /// ``FeedModel/ReplayRequest/maximumPrefixes`` of them; ``HistorySource/forEachPage(_:pageSize:_:)``
    /// groups more).
    public func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        var request = ReplayRequest(
            op: .history, since: query.since?.nanoseconds, until: query.until?.nanoseconds, fromSeq: query.fromSequence,
            toSeq: query.toSequence, session: query.session, limit: query.limit, cursor: cursor?.description,
            pageSize: maxMessages)
        try request.setPrefixes(query.prefixes, endpoint: endpoint)
        let (reply, block) = try exchange(request)
        let next = try reply.next.map { text in
            guard let cursor = HistoryCursor(text) else { throw ClientError(.rejected, "\(endpoint): bad cursor '\(text)'") }
            return cursor
        }
        return HistoryPage(messages: block, next: next, expired: reply.expired, skipped: reply.skipped ?? [])
    }

    /// One page of a snapshot, all `prefixes` in one request (at most
    /// ``FeedModel/ReplayRequest/maximumPrefixes`` of them; ``HistorySource/forEachSnapshotPage(prefixes:at:pageSize:_:)``
    /// groups more).
    public func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        var request = ReplayRequest(op: .snapshot, until: at?.nanoseconds, cursor: after, pageSize: maxMessages)
        try request.setPrefixes(prefixes, endpoint: endpoint)
        let (reply, block) = try exchange(request)
        return SnapshotPage(messages: block, next: reply.next, skipped: reply.skipped ?? [])
    }
}

extension ReplayRequest {
    /// One prefix as `prefix`, which every server version reads; several as `prefixes`.
    fileprivate mutating func setPrefixes(_ list: [TopicPrefix], endpoint: String) throws {
        guard list.count <= Self.maximumPrefixes else {
            throw ClientError(.rejected, "\(endpoint): \(list.count) prefixes in one request, at most \(Self.maximumPrefixes)")
        }
        if list.count == 1 {
            prefix = list[0].rawValue
        } else {
            prefixes = list.map(\.rawValue)
        }
    }
}

@available(*, unavailable)
extension ReplayClient: Sendable {}
