import ChildProcesses
import Foundation

/// C subscribers (`pubsub_sub`) counting the two-frame messages of one endpoint: what the fan-out
/// and ingest benchmarks read their rates from, so raw libzmq and feed-server are received by
/// the same code. Owned by the thread that runs the benchmark.
struct CountingSubscribers {
    let processes: [ChildProcess]

    /// Starts `count` subscribers of `endpoint` and waits until each is ready (subscribed, or with
    /// `handshake`, answered by feed-server's heartbeat). Each ends at the producer's end marker,
    /// or after `idleMilliseconds` without a message. `arguments` go to each `pubsub_sub` too
    /// (`-P FILE`: a list of prefixes instead of everything).
    init(
        _ run: BenchRun, count: Int, endpoint: String, folder: URL, handshake: Bool, idleMilliseconds: Int = 5000,
        arguments: [String] = []
    ) throws {
        processes = try (1...count).map { index in
            try ChildProcess(
                "sub\(index)", run.baseline("pubsub_sub"),
                ["-e", endpoint, "-T", String(idleMilliseconds)] + (handshake ? ["-w"] : []) + arguments, folder: folder)
        }
        for subscriber in processes { try subscriber.waitForStderrLine(containing: "ready", timeout: 60) }
    }

    /// Waits for every subscriber to finish: the mean of their rates, the largest share of
    /// messages one of them missed, and the fewest data messages one of them received.
    func meanRate() throws -> (rate: Double, lossShare: Double, fewestReceived: Int) {
        var rates: [Double] = []
        var lossShare = 0.0
        var fewestReceived = Int.max
        for subscriber in processes {
            try subscriber.waitForSuccess()
            let result = try subscriber.jsonResult()
            rates.append(try result.number("rate"))
            let received = try result.number("received")
            let missing = try result.number("missing")
            lossShare = max(lossShare, missing / max(1, received + missing))
            fewestReceived = min(fewestReceived, Int(received))
        }
        return (rates.reduce(0, +) / Double(rates.count), lossShare, fewestReceived)
    }
}

@available(*, unavailable)
extension CountingSubscribers: Sendable {}
