import FeedHistory
import FeedModel
import Foundation
import Logging
import ZeroMQ

/// Serves history over a ROUTER socket on its own thread: one bounded page per request.
///
/// The client pulls: each reply carries at most a page of messages and a cursor for the next,
/// so a slow reader never makes the server buffer more than one page per request. Bad requests
/// get an error reply, never a crash. Stops on a message to its control endpoint, or when the
/// context is shut down.
final class ReplayService {
    private let router: ZMQSocket
    private let control: ZMQSocket
    private let store: HistoryStore
    private let pageLimit: Int
    private let statusProvider: @Sendable () -> ServerStatus
    private let logger: Logger
    private let frames = ZMQMultipartMessage(capacity: 4)
    private let decoder = JSONDecoder()
    private let encoder = JSONEncoder()

    init(
        context: ZMQContext, endpoint: String, controlEndpoint: String, store: HistoryStore, pageLimit: Int,
        status: @escaping @Sendable () -> ServerStatus, logger: Logger
    ) throws {
        control = try ControlChannel.bind(context, controlEndpoint)
        router = try ZMQSocket(context, .router)
        try router.set(.linger, 0)
        try router.set(.maxMessageSize, 64 * 1024)
        try router.bind(endpoint)
        self.store = store
        self.pageLimit = pageLimit
        statusProvider = status
        self.logger = logger
    }

    /// The endpoint as bound (wildcard port resolved).
    var endpoint: String { (try? router.get(.lastEndpoint)) ?? "" }

    func run() {
        do {
            while true {
                let ready = try ZMQPoller.poll([control, router], timeoutMilliseconds: -1)
                if ready[0] { return }
                if ready[1], try router.receive(into: frames, dontWait: true) { try answer() }
            }
        } catch let error as ZMQError where error.isContextTerminated {
            logger.debug("replay service stopping")
        } catch {
            logger.critical("replay service stopped on error: \(error)")
        }
    }

    private func answer() throws {
        // [identity][request] from DEALER, [identity][empty][request] from REQ.
        guard frames.count == 2 || frames.count == 3, frames.count <= frames.capacity else {
            if frames.count >= 1 { try reply(identity: Array(frames[0]), delimiter: false, error: "expected one request frame") }
            return
        }
        let identity = Array(frames[0])
        let delimiter = frames.count == 3
        let requestBytes = Array(frames[frames.count - 1])
        let request: ReplayRequest
        do {
            request = try decoder.decode(ReplayRequest.self, from: Data(requestBytes))
        } catch {
            try reply(identity: identity, delimiter: delimiter, error: "malformed request: \(Self.describe(error))")
            return
        }
        do {
            let (reply, block) = try serve(request)
            try send(identity: identity, delimiter: delimiter, reply: reply, block: block)
        } catch {
            try reply(identity: identity, delimiter: delimiter, error: "\(error)")
        }
    }

    private func serve(_ request: ReplayRequest) throws -> (ReplayReply, MessageBlock) {
        switch request.op {
        case .status:
            return (ReplayReply(ok: true, status: statusProvider()), MessageBlock())
        case .history:
            let query = try ReplayQuery.historyQuery(from: request)
            let cursor = try request.cursor.map { text in
                guard let cursor = HistoryCursor(text) else { throw ReplayRequestError("bad cursor '\(text)'") }
                return cursor
            }
            let pageSize = min(max(request.pageSize ?? pageLimit, 1), pageLimit)
            let page = try store.query(query, after: cursor, maxMessages: pageSize)
            return (ReplayReply(ok: true, count: page.messages.count, next: page.next?.description), page.messages)
        case .snapshot:
            let prefix = try ReplayQuery.prefix(request.prefix)
            let block = try store.snapshot(prefix: prefix, at: request.until.map(Timestamp.init(nanoseconds:)))
            return (ReplayReply(ok: true, count: block.count), block)
        }
    }

    private func reply(identity: [UInt8], delimiter: Bool, error: String) throws {
        logger.info("replay request rejected: \(error)")
        try send(identity: identity, delimiter: delimiter, reply: ReplayReply(ok: false, error: error), block: MessageBlock())
    }

    private func send(identity: [UInt8], delimiter: Bool, reply: ReplayReply, block: MessageBlock) throws {
        try router.send(identity, more: true)
        if delimiter { try router.send([UInt8](), more: true) }
        try router.send(Array(try encoder.encode(reply)), more: true)
        try router.send(block.bytes)
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): "missing field '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "bad field '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        case DecodingError.dataCorrupted(let context):
            context.codingPath.isEmpty ? "not JSON" : "bad field '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: "\(error)"
        }
    }
}

@available(*, unavailable)
extension ReplayService: Sendable {}

/// Turns a replay request into a validated history query.
enum ReplayQuery {
    static func prefix(_ text: String?) throws -> TopicPrefix {
        guard let text else { return .all }
        do { return try TopicPrefix(text) } catch { throw ReplayRequestError("\(error)") }
    }

    static func historyQuery(from request: ReplayRequest) throws -> HistoryQuery {
        if let since = request.since, let until = request.until, since >= until {
            throw ReplayRequestError(
                "empty time range: since \(Timestamp(nanoseconds: since)) is not before until \(Timestamp(nanoseconds: until))")
        }
        if let limit = request.limit, limit < 0 { throw ReplayRequestError("limit must not be negative") }
        return HistoryQuery(
            prefix: try prefix(request.prefix), since: request.since.map(Timestamp.init(nanoseconds:)),
            until: request.until.map(Timestamp.init(nanoseconds:)), fromSequence: request.fromSeq,
            session: request.session, limit: request.limit)
    }
}

/// A request the replay service cannot serve, with the reason.
struct ReplayRequestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
