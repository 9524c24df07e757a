import FeedHistory
import FeedModel
import Foundation
import ZeroMQ

/// Asks a feed-server's replay endpoint for history, snapshots and status (DEALER), on the
/// caller's thread.
///
/// Rules:
/// 1. Each call waits at most `timeoutMilliseconds` for its answer, then throws
///    ``ClientError/Kind/unavailable``.
/// 2. Every request carries a new `id` and only a reply with that `id` answers it: a reply that
///    arrives after its call gave up is read and dropped by a later call, never taken for its answer.
/// 3. A request unanswered after half the timeout is sent once more (requests only read, so
///    asking twice is harmless); the first reply to either copy answers the call. This covers a
///    server that restarted between taking the request and answering it.
public final class ReplayClient {
    private let socket: ZMQSocket
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
    /// Replies read and dropped because they answered a request given up on (rule 2).
    public private(set) var staleReplies = 0

    public init(context: ZMQContext, endpoint: String, timeoutMilliseconds: Int = 5000) throws {
        self.endpoint = endpoint
        self.timeoutMilliseconds = timeoutMilliseconds
        socket = try ZMQSocket(context, .dealer)
        try socket.set(.linger, 0)
        try socket.connect(endpoint)
    }

    /// The server's session, latest sequence and counters.
    public func status() throws -> ServerStatus {
        let (reply, _) = try exchange(ReplayRequest(op: .status))
        guard let status = reply.status else { throw ClientError(.rejected, "\(endpoint): status reply without status") }
        return status
    }

    private func exchange(_ request: ReplayRequest) throws -> (ReplayReply, MessageBlock) {
        let deadline = DeadlineClock(milliseconds: timeoutMilliseconds)
        let resendAt = DeadlineClock(milliseconds: timeoutMilliseconds < 0 ? -1 : timeoutMilliseconds / 2)
        var ids: [UInt64] = []
        func send() throws {
            var copy = request
            copy.id = nextID
            ids.append(nextID)
            nextID += 1
            try socket.send(Array(try encoder.encode(copy)))
        }
        try send()
        while true {
            let resent = ids.count > 1
            let wait = resent ? deadline.remainingMilliseconds : resendAt.remainingMilliseconds
            guard try socket.waitReadable(timeoutMilliseconds: wait) else {
                if deadline.hasExpired {
                    throw ClientError(.unavailable, "no answer from \(endpoint) within \(timeoutMilliseconds) ms: is feed-server running?")
                }
                if !resent { try send() }
                continue
            }
            try socket.receive(into: frames)
            let reply = try readReply()
            guard let id = reply.id, ids.contains(id) else {
                staleReplies += 1
                continue
            }
            guard reply.ok else { throw ClientError(.rejected, "\(endpoint): \(reply.error ?? "request failed")") }
            return (reply, MessageBlock(bytes: Array(frames[1]), count: reply.count))
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
        return HistoryPage(messages: block, next: next)
    }

    /// One page of a snapshot, all `prefixes` in one request (at most
    /// ``FeedModel/ReplayRequest/maximumPrefixes`` of them; ``HistorySource/forEachSnapshotPage(prefixes:at:pageSize:_:)``
    /// groups more).
    public func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        var request = ReplayRequest(op: .snapshot, until: at?.nanoseconds, cursor: after, pageSize: maxMessages)
        try request.setPrefixes(prefixes, endpoint: endpoint)
        let (reply, block) = try exchange(request)
        return SnapshotPage(messages: block, next: reply.next)
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
