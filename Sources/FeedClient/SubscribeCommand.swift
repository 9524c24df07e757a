import ArgumentParser
import FeedClientKit
import FeedModel
import ZeroMQ

/// `feed-client subscribe`: print the live feed for some prefixes, optionally after history.
struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print live messages whose topic starts with any PREFIX.",
        discussion: """
            Example: feed-client subscribe NASDAQ.AAPL NYSE. --from tcp://127.0.0.1:5556 --format ndjson --count 10
            Late joiner: feed-client subscribe NASDAQ. --replay-from start   (or a feed sequence, a time like -5m, or snapshot)
            Without a prefix, everything is printed. Status lines, gaps that history cannot fill and \
            publisher restarts go to stderr. With a replay endpoint (the default one when --from is the \
            default), gaps are repaired from history.
            """
    )

    @Argument(help: "Topic prefixes, e.g. NASDAQ. or NASDAQ.AAPL; none means everything.")
    var prefixes: [String] = []

    @Option(help: "Publish endpoint of the feed-server: tcp://, ipc://, inproc://, or epgm://IFACE;GROUP:PORT.")
    var from = SubscribeCommand.defaultPublish

    @Option(help: "Replay endpoint for history and gap repair (default tcp://127.0.0.1:5558 when --from is the default).")
    var replay: String?

    @Option(help: ArgumentHelp("Deliver history first, then live: start, a feed sequence, a time (ISO 8601, -5m), or snapshot.", valueName: "POINT"))
    var replayFrom: String?

    @OptionGroup var output: FormatOptions

    @Option(help: "Stop after N messages.")
    var count: Int?

    @Option(help: "Stop after SECONDS.")
    var duration: Double?

    @Option(help: "Give up if the server has not answered within this many milliseconds.")
    var connectTimeoutMs = 5000

    @Option(help: "Messages libzmq may queue for this subscriber before dropping (ZMQ_RCVHWM).")
    var receiveHwm: Int32 = 100_000

    @Flag(help: "Also print heartbeats (to stderr).")
    var heartbeats = false

    static let defaultPublish = "tcp://127.0.0.1:5556"

    func validate() throws {
        _ = try PrefixArguments.parse(prefixes)
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if connectTimeoutMs < 0 { throw ValidationError("--connect-timeout-ms must not be negative") }
        if receiveHwm < 0 { throw ValidationError("--receive-hwm must not be negative") }
        if PGMEndpoint.isPGM(from) {
            do { _ = try PGMEndpoint(from).resolved() } catch { throw ValidationError("--from: \(error)") }
        }
        let start = try replayStart()
        if start != .live && replayEndpoint == nil {
            throw ValidationError("--replay-from needs --replay ENDPOINT when --from is not the default")
        }
    }

    private func replayStart() throws -> ReplayStart {
        guard let replayFrom else { return .live }
        do { return try ReplayStart(parsing: replayFrom) } catch { throw ValidationError("--replay-from: \(error)") }
    }

    private var replayEndpoint: String? { replay ?? (from == Self.defaultPublish ? "tcp://127.0.0.1:5558" : nil) }

    func run() async throws {
        do {
            try await subscribe()
        } catch {
            throw ClientFailure.exit(error)
        }
    }

    private func subscribe() async throws {
        // zmq_ctx_term can hang after PGM use (libzmq issue 822): leave that context to process exit.
        let context = try ZMQContext(terminatesOnDeinit: !PGMEndpoint.isPGM(from))
        var options = SequencedFeed.Options(
            prefixes: try PrefixArguments.parse(prefixes), start: try replayStart(), replayEndpoint: replayEndpoint)
        options.receiveHighWaterMark = receiveHwm
        options.connectTimeoutMilliseconds = connectTimeoutMs
        let writer = LineWriter()
        let deadline = DeadlineClock(seconds: duration)
        var received = 0
        var announced = false
        let subscribedTo = options.prefixes.isEmpty ? "(everything)" : options.prefixes.map(\.description).joined(separator: " ")
        let subscription = FeedSubscription(context: context, endpoint: from, options: options)
        for try await event in subscription {
            if !announced {
                announced = true
                ClientFailure.writeError("subscribed to \(from) for \(subscribedTo); live")
                if let header = output.format.header { writer.write(header) }
            }
            switch event {
            case .message(let message):
                writer.write(message, as: output.format)
                received += 1
                writer.flushIfOlder(thanMilliseconds: 100)
            case .heartbeat(let session, let sequence):
                writer.flush()
                if heartbeats { ClientFailure.writeError("heartbeat session=\(session) seq=\(sequence)") }
            case .gap(let topic, let session, let missing, let reason):
                writer.flush()
                ClientFailure.writeError("gap: \(topic) session \(session) topic_seq \(missing.lowerBound)-\(missing.upperBound) \(reason)")
            case .unverified(let session, let sequences, let reason):
                writer.flush()
                ClientFailure.writeError(
                    "unverified: session \(session) feed_seq \(sequences.lowerBound)-\(sequences.upperBound) \(reason); anything of \(subscribedTo) among them that did not arrive live is lost")
            case .sessionChanged(let old, let new):
                writer.flush()
                ClientFailure.writeError("publisher restarted: session \(old) -> \(new)")
            case .replayCompleted(let messages):
                writer.flush()
                ClientFailure.writeError("replayed \(messages) messages from history; now live")
            }
            if let count, received >= count { break }
            if deadline.hasExpired { break }
        }
        writer.flush()
        let counts = subscription.statistics.counts
        ClientFailure.writeError(
            "received \(received) messages (\(counts.fromHistory) from history, \(counts.duplicatesDropped) duplicates dropped, \(counts.reportedLost) reported lost)")
    }
}
