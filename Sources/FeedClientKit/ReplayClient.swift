import FeedHistory
import FeedModel
import Foundation
import ZeroMQ

/// Asks a feed-server's replay endpoint for history, snapshots and status (DEALER), on the
/// caller's thread. Each call waits at most `timeoutMilliseconds` for each answer.
public final class ReplayClient {
    private let socket: ZMQSocket
    private let frames = ZMQMultipartMessage(capacity: 4)
    public let endpoint: String
    public let timeoutMilliseconds: Int

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

    /// The latest message per topic matching `prefix`, as of `at` (nil: now).
    public func snapshot(prefix: TopicPrefix, at: Timestamp?) throws -> MessageBlock {
        try exchange(ReplayRequest(op: .snapshot, prefix: prefix.rawValue, until: at?.nanoseconds)).1
    }

    private func exchange(_ request: ReplayRequest) throws -> (ReplayReply, MessageBlock) {
        try socket.send(Array(try JSONEncoder().encode(request)))
        guard try socket.waitReadable(timeoutMilliseconds: timeoutMilliseconds) else {
            throw ClientError(.unavailable, "no answer from \(endpoint) within \(timeoutMilliseconds) ms: is feed-server running?")
        }
        try socket.receive(into: frames)
        guard frames.count == 2 else { throw ClientError(.rejected, "\(endpoint): reply has \(frames.count) frames, expected 2") }
        let reply: ReplayReply
        do {
            reply = try JSONDecoder().decode(ReplayReply.self, from: Data(frames[0]))
        } catch {
            throw ClientError(.rejected, "\(endpoint): unreadable reply")
        }
        guard reply.ok else { throw ClientError(.rejected, "\(endpoint): \(reply.error ?? "request failed")") }
        return (reply, MessageBlock(bytes: Array(frames[1]), count: reply.count))
    }
}

extension ReplayClient: HistorySource {
    public func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        let request = ReplayRequest(
            op: .history, prefix: query.prefix.rawValue, since: query.since?.nanoseconds,
            until: query.until?.nanoseconds, fromSeq: query.fromSequence, session: query.session,
            cursor: cursor?.description, pageSize: maxMessages)
        let (reply, block) = try exchange(request)
        let next = try reply.next.map { text in
            guard let cursor = HistoryCursor(text) else { throw ClientError(.rejected, "\(endpoint): bad cursor '\(text)'") }
            return cursor
        }
        return HistoryPage(messages: block, next: next)
    }
}

@available(*, unavailable)
extension ReplayClient: Sendable {}
