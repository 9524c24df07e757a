import DequeModule
import FeedClientKit
import FeedHistory
import FeedModel
import Foundation
import ZeroMQ

/// Fetches what a relay lost on the way from its upstream's replay service
/// (`--upstream-replay`), on a thread of its own, so the relay's history is complete even when
/// live delivery was not (multicast past PGM's recovery window, a full queue).
///
/// The relay's thread hands over a ``Request`` (a session's missing feed sequences) and later
/// collects the ``Fill`` for it, never waiting for either. Rules:
/// 1. Requests are served in the order given; those of one session close together are fetched
///    in one run of queries (a lossy link leaves many small gaps).
/// 2. A fill asks for its range until it has every message of it, or the upstream shows it
///    never will (it holds later messages of the session and not these), or
///    ``fillTimeoutMilliseconds`` passed: the upstream records a moment after publishing, so
///    an answer short at its end is asked again shortly.
/// 3. What a fill could not get is counted in it (``Fill/missing``) with the reason, which the
///    relay logs: never dropped in silence. After ``beginStopping()`` every request left is
///    answered at once that way.
final class UpstreamGapFiller: @unchecked Sendable {  // Mutable state is guarded by `condition`.
    /// Feed sequences of one origin session the relay did not receive.
    struct Request: Sendable, Hashable {
        let session: UInt32
        let sequences: ClosedRange<UInt64>
    }

    /// The answer to a request: the messages found, in feed-sequence order, and how many of
    /// the range are not among them.
    struct Fill: Sendable {
        let request: Request
        let messages: MessageBlock
        let missing: UInt64
        let reason: String?
    }

    /// How long one fill keeps asking (rule 2).
    static let fillTimeoutMilliseconds = 5000
    /// How long one request to the upstream may take: short, so a stop is prompt.
    static let requestTimeoutMilliseconds = 1000
    static let pageSize = 10_000
    /// Requests of a session this close together are fetched in one run of queries.
    static let batchSpan: UInt64 = 100_000

    private let condition = NSCondition()
    private var requests: Deque<Request> = []
    private var fills: [Fill] = []
    private var stopping = false
    private var thread: WorkerThread?

    /// Starts the thread and its replay client of `endpoint` (CURVE as `curve` says).
    init(context: ZMQContext, endpoint: String, curve: CurveSecurity?) throws {
        thread = try WorkerThread.start(name: "upstream-replay") {
            UncheckedTransfer(
                try ReplayClient(
                    context: context, endpoint: endpoint, timeoutMilliseconds: Self.requestTimeoutMilliseconds, curve: curve))
        } run: { [self] client in
            while let batch = nextRequests() {
                for fill in fill(batch, from: client.value) { deliver(fill) }
            }
        }
    }

    /// Asks for `request`'s messages (from the relay's thread); the answer comes through ``takeFills()``.
    func submit(_ request: Request) {
        condition.lock()
        if stopping {
            fills.append(Fill(request: request, messages: MessageBlock(), missing: UInt64(request.sequences.count), reason: "the relay is stopping"))
        } else {
            requests.append(request)
        }
        condition.broadcast()
        condition.unlock()
    }

    /// The fills completed since the last call, in request order.
    func takeFills() -> [Fill] {
        condition.lock()
        defer { condition.unlock() }
        let taken = fills
        fills.removeAll()
        return taken
    }

    /// From now on the fill under way gives up at its next request, those waiting at once (rule 3).
    func beginStopping() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// ``beginStopping()``, then waits for the thread to end (at most one request's timeout).
    func stop() {
        beginStopping()
        thread?.join()
    }

    /// The first request waiting and those after it of the same session within
    /// ``batchSpan`` feed sequences (fetched together, rule 1); nil once stopping.
    private func nextRequests() -> [Request]? {
        condition.lock()
        defer { condition.unlock() }
        while requests.isEmpty && !stopping { condition.wait() }
        if stopping {
            for request in requests {
                fills.append(Fill(request: request, messages: MessageBlock(), missing: UInt64(request.sequences.count), reason: "the relay is stopping"))
            }
            requests.removeAll()
            return nil
        }
        var batch = [requests.removeFirst()]
        while let next = requests.first, next.session == batch[0].session, next.sequences.lowerBound > batch.last!.sequences.upperBound,
            next.sequences.upperBound - batch[0].sequences.lowerBound < Self.batchSpan
        {
            batch.append(requests.removeFirst())
        }
        return batch
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    private func deliver(_ fill: Fill) {
        condition.lock()
        fills.append(fill)
        condition.unlock()
    }

    /// Rule 2, for requests of one session in ascending order: one run of queries from the
    /// lowest feed sequence still wanted through the last request's end, each message found
    /// going to the request whose range holds it.
    private func fill(_ batch: [Request], from client: ReplayClient) -> [Fill] {
        let session = batch[0].session
        let end = batch[batch.count - 1].sequences.upperBound
        var found = [MessageBlock](repeating: MessageBlock(), count: batch.count)
        var next = batch[0].sequences.lowerBound
        var current = 0
        var reason: String?
        let deadline = DeadlineClock(milliseconds: Self.fillTimeoutMilliseconds)
        var pause = 2
        while next <= end {
            if isStopping {
                reason = "the relay is stopping"
                break
            }
            let before = next
            do {
                let page = try client.page(
                    HistoryQuery(fromSequence: next, toSequence: end, session: session), after: nil, maxMessages: Self.pageSize)
                try page.messages.forEach { topic, body in
                    // Checked as the relay checks what it forwards: the history refuses a bad block whole.
                    guard let header = try? FeedMessage.validate(topic: topic, body: body), header.session == session,
                        header.type != .heartbeat, header.feedSequence >= next
                    else { return true }
                    next = header.feedSequence + 1
                    while current < batch.count, batch[current].sequences.upperBound < header.feedSequence { current += 1 }
                    if current < batch.count, batch[current].sequences.contains(header.feedSequence) {
                        found[current].append(topic: topic, body: body)
                    }
                    return next <= end
                }
            } catch {
                reason = "\(error)"
            }
            if next > before {
                pause = 2
                continue
            }
            if deadline.hasExpired {
                reason = reason ?? "not in the upstream's history within \(Self.fillTimeoutMilliseconds) ms"
                break
            }
            // The upstream records a moment after publishing: ask again soon.
            Thread.sleep(forTimeInterval: Double(min(pause, max(1, deadline.remainingMilliseconds))) / 1000)
            pause = min(pause * 2, 100)
        }
        return zip(batch, found).map { request, messages in
            let missing = UInt64(request.sequences.count - messages.count)
            return Fill(
                request: request, messages: messages, missing: missing,
                reason: missing == 0 ? nil : next > request.sequences.upperBound ? "the upstream's history lacks them" : reason)
        }
    }
}
