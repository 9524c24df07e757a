import ArgumentParser
import FeedClientKit
import FeedModel
import ZeroMQ

/// `feed-client subscribe`: print the live feed for some prefixes.
struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print live messages whose topic starts with any PREFIX.",
        discussion: """
            Example: feed-client subscribe NASDAQ.AAPL NYSE. --from tcp://127.0.0.1:5556 --format ndjson --count 10
            Without a prefix, everything is printed. Status lines go to stderr.
            """
    )

    @Argument(help: "Topic prefixes, e.g. NASDAQ. or NASDAQ.AAPL; none means everything.")
    var prefixes: [String] = []

    @Option(help: "Publish endpoint of the feed-server: tcp://, ipc://, inproc://, or epgm://IFACE;GROUP:PORT.")
    var from = "tcp://127.0.0.1:5556"

    @OptionGroup var output: FormatOptions

    @Option(help: "Stop after N messages.")
    var count: Int?

    @Option(help: "Stop after SECONDS.")
    var duration: Double?

    @Option(help: "Give up if the server has not answered within this many milliseconds.")
    var connectTimeoutMs = 5000

    @Flag(help: "Also print heartbeats (to stderr).")
    var heartbeats = false

    func validate() throws {
        _ = try PrefixArguments.parse(prefixes)
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if connectTimeoutMs < 0 { throw ValidationError("--connect-timeout-ms must not be negative") }
        if PGMEndpoint.isPGM(from) {
            do { _ = try PGMEndpoint(from).resolved() } catch { throw ValidationError("--from: \(error)") }
        }
    }

    func run() throws {
        do {
            try subscribe()
        } catch {
            throw ClientFailure.exit(error)
        }
    }

    private func subscribe() throws {
        // zmq_ctx_term can hang after PGM use (libzmq issue 822): leave that context to process exit.
        let context = try ZMQContext(terminatesOnDeinit: !PGMEndpoint.isPGM(from))
        let subscriber = try FeedSubscriber(context: context, endpoint: from, prefixes: try PrefixArguments.parse(prefixes))
        guard try subscriber.waitUntilLive(timeoutMilliseconds: connectTimeoutMs) else {
            throw ClientError(.unavailable, "nothing from \(from) within \(connectTimeoutMs) ms (no heartbeat): is feed-server running?")
        }
        ClientFailure.writeError("subscribed to \(from) for \(subscriber.prefixes.map(\.description).joined(separator: " ")); live")
        let writer = LineWriter()
        if let header = output.format.header { writer.write(header) }
        let deadline = DeadlineClock(seconds: duration)
        var received = 0
        while count.map({ received < $0 }) ?? true, !deadline.hasExpired {
            var event = try subscriber.next(timeoutMilliseconds: 0)
            if event == nil {
                writer.flush()
                event = try subscriber.next(timeoutMilliseconds: deadline.remainingMilliseconds)
            }
            switch event {
            case .message(let message):
                writer.write(output.format.line(for: message))
                received += 1
            case .heartbeat(let session, let sequence):
                if heartbeats { ClientFailure.writeError("heartbeat session=\(session) seq=\(sequence)") }
            case nil:
                continue
            }
        }
        writer.flush()
        let malformed = subscriber.malformed > 0 ? ", \(subscriber.malformed) malformed skipped (\(subscriber.lastMalformedReason ?? ""))" : ""
        ClientFailure.writeError("received \(received) messages\(malformed)")
    }
}
