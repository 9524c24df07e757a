import FeedModel
import Metrics

/// The replay service's swift-metrics objects (``ServerMetrics/Replay``), made once, used on the
/// replay thread per request.
struct ReplayMetrics {
    /// The operation label: what was asked, or `malformed` for a request that could not be read.
    enum Operation: String, CaseIterable {
        case status, history, snapshot, malformed

        init(_ operation: ReplayRequest.Operation) {
            switch operation {
            case .status: self = .status
            case .history: self = .history
            case .snapshot: self = .snapshot
            }
        }
    }

    private let durations: [Operation: Timer]
    /// Per operation and result (`ok` or `error`; a malformed request is never ok).
    private let answered: [Operation: [Bool: Counter]]
    private let droppedReplies = Counter(label: ServerMetrics.Replay.droppedReplies.name)

    init() {
        let requests = ServerMetrics.Replay.requests.name
        answered = Dictionary(uniqueKeysWithValues: Operation.allCases.map { operation in
            let results = operation == .malformed ? [false] : [true, false]
            return (operation, Dictionary(uniqueKeysWithValues: results.map { ok in
                (ok, Counter(label: requests, dimensions: [("op", operation.rawValue), ("result", ok ? "ok" : "error")]))
            }))
        })
        durations = Dictionary(uniqueKeysWithValues: Operation.allCases.map {
            ($0, Timer(label: ServerMetrics.Replay.duration.name, dimensions: [("op", $0.rawValue)]))
        })
    }

    /// Counts one answered request and how long it took since `startedAt` (monotonic nanoseconds).
    func answered(_ operation: Operation, ok: Bool, startedAt: Int64) {
        durations[operation]?.recordNanoseconds(MonotonicClock.nanoseconds() - startedAt)
        answered[operation]?[ok]?.increment()
    }

    func droppedReply() { droppedReplies.increment() }
}
