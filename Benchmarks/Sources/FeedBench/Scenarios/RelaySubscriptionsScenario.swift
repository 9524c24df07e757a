import FeedModel
import ChildProcesses
import Foundation
import ZeroMQ

/// How long a relay stops forwarding while `count` distinct downstream subscriptions arrive,
/// and again while they are all cancelled.
///
/// feed-server's generator runs at `rate` into `feed-server relay` (no `--subscribe`: everything
/// allowed). In this process a watcher subscribed to everything at the relay notes when messages
/// arrive; a second subscriber then takes `count` prefixes no topic has (`CHURN.S00001`, ...),
/// 500 at a time with the watcher drained in between, and after them the heartbeat topic once
/// more. The relay passes a heartbeat subscription upstream when it handles it, so only after
/// every subscription before it, and the origin answers at once (its own heartbeats wait for a
/// quiet feed, which a running generator never is): a heartbeat published after the change
/// began reaching the second subscriber marks the change as applied. The cancel is measured the
/// same way.
///
/// Reported: the longest gap between arrivals at the watcher from its last message before the
/// change until the change was applied: the forwarding pause. Beside it, as the baseline, the
/// longest gap over 2 s before any change: the noise of this machine.
struct RelaySubscriptionsScenario {
    let count: Int

    private let rate = 20_000
    static let heartbeat = Array("$HB".utf8)

    func run(_ run: BenchRun) throws -> [Figure] {
        let count = run.size(self.count, quick: 1_000)
        let folder = try run.scratch("relay-subscriptions-\(count)")
        let origin = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            arguments: ["--demo", String(rate), "--heartbeat-ms", "60000"])
        let relay = try ChildProcess(
            "relay", run.feedServer, ["relay", "--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*"], folder: folder)
        let ready = try relay.waitForStderrLine(containing: "feed-relay ready", timeout: 60)
        guard let field = ready.split(separator: " ").first(where: { $0.hasPrefix("publish=") }) else {
            throw BenchFailure("relay: no publish= in its ready line: \(ready)")
        }
        let endpoint = String(field.dropFirst("publish=".count))

        let context = try ZMQContext()
        let watch = try Watch(context: context, endpoint: endpoint)
        try watch.waitForFlow()
        let noise = try watch.longestGap(over: .seconds(2))
        let churn = try ZMQSocket(context, .sub)
        try churn.set(.linger, 0)
        try churn.set(.sendHighWaterMark, 0)  // All `count` subscriptions must leave this socket.
        try churn.set(.subscribe, Self.heartbeat)
        try churn.connect(endpoint)
        _ = try watch.waitForHeartbeat(on: churn, publishedAfter: 0, timeout: .seconds(10))  // Connected, subscribed.

        let prefixes = (1...count).map { Array(String(format: "CHURN.S%05d", $0).utf8) }
        run.log("relay: \(count) distinct subscriptions arrive")
        let arrival = try watch.change(churn, prefixes: prefixes) { try churn.set(.subscribe, $0) }
        run.log("relay: \(count) subscriptions cancelled")
        let cancel = try watch.change(churn, prefixes: prefixes) { try churn.set(.unsubscribe, $0) }
        try relay.terminate()
        try origin.child.terminate()

        let thousands = "\(count / 1000),000"
        func figure(_ what: String, _ result: (pause: Duration, applied: Duration)) -> Figure {
            Figure(
                name: "relay: forwarding pause while \(thousands) distinct subscriptions \(what), generator at \(rate / 1000)k msg/s",
                unit: .milliseconds, better: .lower, ours: result.pause.seconds * 1000,
                baselineName: "longest gap in 2 s, no change", baseline: noise.seconds * 1000,
                note: String(format: "change applied %.1f ms after it began", result.applied.seconds * 1000))
        }
        return [figure("arrive", arrival), figure("are cancelled", cancel)]
    }
}

/// The watcher: a subscriber of everything at the relay, and when its messages arrived. Owned
/// by the thread that runs the scenario, as are the sockets handed to it.
private final class Watch {
    private let socket: ZMQSocket
    private let frames = ZMQMultipartMessage(capacity: 4)
    private var lastArrival = ContinuousClock.now
    private var longest = Duration.zero

    init(context: ZMQContext, endpoint: String) throws {
        socket = try ZMQSocket(context, .sub)
        try socket.set(.linger, 0)
        try socket.set(.subscribe, [])
        try socket.connect(endpoint)
    }

    func waitForFlow(timeout: Duration = .seconds(10)) throws {
        let deadline = ContinuousClock.now + timeout
        while try !socket.waitReadable(timeoutMilliseconds: 100) {
            guard ContinuousClock.now < deadline else { throw BenchFailure("relay: nothing forwarded within \(timeout)") }
        }
        try drain()
    }

    /// The longest gap between arrivals over `window`.
    func longestGap(over window: Duration) throws -> Duration {
        try drain()
        longest = .zero
        let end = ContinuousClock.now + window
        while ContinuousClock.now < end {
            if try socket.waitReadable(timeoutMilliseconds: 10) { try drain() }
        }
        return longest
    }

    /// Applies `change` to every prefix, 500 at a time, then subscribes `probe` to the heartbeat
    /// once more, and watches until the answer reaches `probe`. Returns the longest gap between
    /// arrivals from the last one before the change, and how long the change took to apply.
    func change(
        _ probe: ZMQSocket, prefixes: [[UInt8]], _ change: ([UInt8]) throws -> Void
    ) throws -> (pause: Duration, applied: Duration) {
        try drain()
        longest = .zero
        let start = ContinuousClock.now
        let startTime = Timestamp.now().nanoseconds
        for chunk in stride(from: 0, to: prefixes.count, by: 500) {
            for prefix in prefixes[chunk..<min(chunk + 500, prefixes.count)] { try change(prefix) }
            try drain()
        }
        try probe.set(.subscribe, RelaySubscriptionsScenario.heartbeat)
        let answered = try waitForHeartbeat(on: probe, publishedAfter: startTime, timeout: .seconds(600))
        return (longest, answered - start)
    }

    /// Drains the watcher while waiting for a heartbeat on `probe` published after `time` (wall
    /// clock, nanoseconds: an answer, not one sent before); returns when it came.
    func waitForHeartbeat(on probe: ZMQSocket, publishedAfter time: Int64, timeout: Duration) throws -> ContinuousClock.Instant {
        let deadline = ContinuousClock.now + timeout
        let probeFrames = ZMQMultipartMessage(capacity: 4)
        while ContinuousClock.now < deadline {
            let ready = try ZMQPoller.poll([socket, probe], timeoutMilliseconds: 100)
            if ready[0] { try drain() }
            while ready[1], try probe.receive(into: probeFrames, dontWait: true) {
                guard probeFrames.count == 2, probeFrames[0].elementsEqual(RelaySubscriptionsScenario.heartbeat) else { continue }
                if try FeedMessage.validate(topic: probeFrames[0], body: probeFrames[1]).publishTime > time { return ContinuousClock.now }
            }
        }
        throw BenchFailure("relay: no heartbeat answered a heartbeat subscription within \(timeout)")
    }

    /// Takes every message waiting; notes the gap since the previous arrival.
    private func drain() throws {
        var received = false
        while try socket.receive(into: frames, dontWait: true) { received = true }
        guard received else { return }
        let now = ContinuousClock.now
        longest = max(longest, now - lastArrival)
        lastArrival = now
    }
}

@available(*, unavailable)
extension Watch: Sendable {}
