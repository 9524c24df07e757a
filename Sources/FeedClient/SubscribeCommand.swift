import ArgumentParser
import CommandLineSupport
import FeedClientKit
import FeedModel
import Foundation
import UnixSignals
import ZeroMQ

/// `feed-client subscribe`: print the live feed for some prefixes, optionally after history.
struct SubscribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Print live messages whose topic starts with any PREFIX.",
        discussion: """
            Without a prefix (and no --prefixes-from), everything is printed. --replay-from delivers \
            history first (from the start of the session, a feed sequence, a time like -5m, or snapshot: \
            the latest message of every topic), then live. Status lines, gaps that history cannot fill and publisher restarts \
            go to stderr. With a replay endpoint (the default one when --from is the default), gaps are \
            repaired from history. SIGINT or SIGTERM ends the subscription after printing what arrived.

            Examples:
              feed-client subscribe NASDAQ.AAPL NYSE. --format ndjson --count 10
              feed-client subscribe NASDAQ. --replay-from start
              feed-client subscribe --prefixes-from watchlist.txt --replay-from snapshot
              feed-client subscribe NYSE. --from 'epgm://eth0;239.192.7.1:5601'
              feed-client subscribe --from tcp://relay-a:5556 --from tcp://relay-b:5556

            --from repeated takes the same feed on several lines (A/B: two multicast groups, multicast \
            and TCP, two relays): the first copy of each message wins, a loss on one line is covered by \
            another before history is asked, a line that falls silent is reported, and the summary \
            gives each line's figures.
            """
    )

    @OptionGroup var prefixes: PrefixOptions

    @Option(help: "Publish endpoint of the feed-server: tcp://, ipc://, or epgm://IFACE;GROUP:PORT (inproc:// is for the Swift library); repeat it for A/B lines of the same feed (default tcp://127.0.0.1:5556).")
    var from: [String] = []

    @Option(help: "Replay endpoint for history and gap repair (default tcp://127.0.0.1:5558 when --from is the default).")
    var replay: String?

    @Option(help: ArgumentHelp("Deliver history first, then live: start, a feed sequence, a time (ISO 8601, -5m), or snapshot.", valueName: "POINT"))
    var replayFrom: String?

    @OptionGroup var output: FormatOptions

    @OptionGroup var curve: CurveClientOptions

    @Option(parsing: .unconditional, help: "Stop after N messages.")
    var count: Int?

    @Option(parsing: .unconditional, help: "Stop after SECONDS, quiet feed or not.")
    var duration: Double?

    @Option(parsing: .unconditional, help: "Give up if the server has not answered within this many milliseconds.")
    var connectTimeoutMs = 5000

    @Option(parsing: .unconditional, help: "Exit with status 69 when nothing, not even a heartbeat, arrives for this many milliseconds; 0 waits forever. Keep it above the server's --heartbeat-ms.")
    var silenceTimeoutMs = 10_000

    @Option(parsing: .unconditional, help: "Messages libzmq may queue for this subscriber before dropping (ZMQ_RCVHWM).")
    var receiveHwm: Int32 = 100_000

    @Option(parsing: .unconditional, help: "With several --from lines: how long a message after a loss on its line waits for another line to bring what is missing before history is asked.")
    var arbitrationMs = SequencedFeed.Options().arbitrationGraceMilliseconds

    @Option(parsing: .unconditional, help: "With several --from lines: report a line that brings nothing this long while another brings messages.")
    var lineSilenceMs = SequencedFeed.Options().lineSilenceMilliseconds

    @Flag(help: "Also print heartbeats (to stderr).")
    var heartbeats = false

    @Flag(help: "At the end, report the live rate and the latency from each live message's publish time to its arrival (p50, p99, p99.9, max); the publisher's clock and this host's must agree.")
    var latency = false

    static let defaultPublish = "tcp://127.0.0.1:5556"
    /// How long output may take to reach a reader after SIGINT or SIGTERM before the rest is dropped.
    static let outputBudgetAfterSignal = Duration.seconds(2)

    func validate() throws {
        if let count, count <= 0 { throw ValidationError("--count must be positive") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        try TimeoutArgument.check(connectTimeoutMs, option: "--connect-timeout-ms", minimum: 0)
        try TimeoutArgument.check(silenceTimeoutMs, option: "--silence-timeout-ms", minimum: 0)
        for endpoint in endpoints {
            try EndpointArgument.check(endpoint, option: "--from", role: .connect, transports: [.tcp, .ipc, .epgm, .pgm])
            if PGMEndpoint.isPGM(endpoint) {
                do { _ = try PGMEndpoint(endpoint).resolved() } catch { throw ValidationError("--from: \(error)") }
            }
        }
        if let twice = endpoints.first(where: { endpoint in endpoints.filter { $0 == endpoint }.count > 1 }) {
            throw ValidationError("--from \(twice) is given twice: each line is a different endpoint")
        }
        try TimeoutArgument.check(arbitrationMs, option: "--arbitration-ms", minimum: 0)
        try TimeoutArgument.check(lineSilenceMs, option: "--line-silence-ms")
        if let replay { try EndpointArgument.check(replay, option: "--replay", role: .connect, transports: serverTransports) }
        if receiveHwm < 0 { throw ValidationError("--receive-hwm must not be negative") }
        let start = try replayStart()
        if start != .live && replayEndpoint == nil {
            throw ValidationError("--replay-from needs --replay ENDPOINT when --from is not the default")
        }
    }

    private func replayStart() throws -> ReplayStart {
        guard let replayFrom else { return .live }
        do { return try ReplayStart(parsing: replayFrom) } catch { throw ValidationError("--replay-from: \(error)") }
    }

    /// The lines, `--from` as given or the default one.
    private var endpoints: [String] { from.isEmpty ? [Self.defaultPublish] : from }

    private var replayEndpoint: String? { replay ?? (endpoints == [Self.defaultPublish] ? "tcp://127.0.0.1:5558" : nil) }

    func run() async throws {
        do {
            try await subscribe(prefixes: prefixes.resolved())
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ClientFailure.exit(error)
        }
    }

    private func subscribe(prefixes: [TopicPrefix]) async throws {
        // Trap the stop signals before anything is announced, so a SIGINT is never the default kill.
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        let context = try ZMQContext()
        var options = SequencedFeed.Options(
            prefixes: prefixes, start: try replayStart(), replayEndpoint: replayEndpoint)
        options.receiveHighWaterMark = receiveHwm
        options.connectTimeoutMilliseconds = connectTimeoutMs
        options.curve = try curve.security()
        options.arbitrationGraceMilliseconds = arbitrationMs
        options.lineSilenceMilliseconds = lineSilenceMs
        let writer = LineWriter()
        let watch = SubscriptionWatch(writer: writer, deadline: DeadlineClock(seconds: duration), silenceLimitMilliseconds: silenceTimeoutMs)
        let subscription = FeedSubscription(context: context, endpoints: endpoints, options: options)
        let latency = self.latency ? LiveLatency() : nil
        let stop: SubscriptionStop?
        do {
            stop = try await withThrowingTaskGroup(of: SubscriptionStop?.self) { group in
                group.addTask {
                    try await printEvents(
                        of: subscription, for: PrefixOptions.summary(prefixes), to: writer, watch: watch, latency: latency)
                    return nil
                }
                group.addTask { await watch.untilStop() }
                group.addTask {
                    for await received in signals {
                        // A second signal kills, whatever the first one is waiting for.
                        signal(SIGINT, SIG_DFL)
                        signal(SIGTERM, SIG_DFL)
                        return .signal(received.description)
                    }
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        } catch {
            await writer.flushed()  // Also when the subscription fails: what arrived is printed.
            throw error
        }
        if case .signal = stop {
            // Output stuck on a reader that stopped reading must not keep a stopped subscriber alive.
            _ = await writer.flushed(waitingAtMost: Self.outputBudgetAfterSignal)
        } else {
            await writer.flushed()
        }
        let counts = subscription.statistics.counts
        ClientFailure.writeError(
            // The subscription reads ahead of what is printed: its counts may cover more than `received`.
            "received \(watch.messagesReceived) messages; the subscription took \(counts.fromHistory) from history, dropped \(counts.duplicatesDropped) duplicates, reported \(counts.reportedLost) lost, skipped \(counts.malformed) malformed"
                + (counts.cutByLoss > 0 ? " and \(counts.cutByLoss) pieces of messages cut by multicast loss" : "")
                + (counts.multicastRejoins > 0 ? "; rejoined multicast \(counts.multicastRejoins) times after it stalled" : ""))
        for line in counts.lines {
            ClientFailure.writeError(
                "line \(line.endpoint): first copy of \(line.first) messages, \(line.laterCopies) later copies dropped, lost \(line.lost) of which \(line.covered) covered by another line")
        }
        if let latency { ClientFailure.writeError(latency.summary) }
        if case .silence(let milliseconds) = stop {
            throw ClientError(.unavailable, "nothing from \(endpoints.joined(separator: " or ")) for \(milliseconds) ms, not even a heartbeat: the publisher stopped or cannot be reached")
        }
    }

    /// Prints the events of `subscription` until `--count` messages or the end of the feed.
    /// `subscribedTo` names the prefixes in status lines; `latency` hears of each live message.
    private func printEvents(
        of subscription: FeedSubscription, for subscribedTo: String, to writer: LineWriter, watch: SubscriptionWatch,
        latency: LiveLatency?
    ) async throws {
        let format = output.format  // Read once: a property wrapper's getter is not free per message.
        var announced = false
        // Messages replayed at start-up are not live: they come before `replayCompleted`.
        var live = try replayStart() == .live
        var events = subscription.makeAsyncIterator()
        while true {
            watch.beginWaiting()
            guard let event = try await events.next() else { return }
            watch.eventArrived(isMessage: event.isMessage)
            if !announced {
                announced = true
                let lines = endpoints.count > 1 ? "\(endpoints.joined(separator: " and ")) (first copy wins)" : endpoints[0]
                ClientFailure.writeError("subscribed to \(lines) for \(subscribedTo); live")
                if let header = format.header { writer.write(header) }
            }
            switch event {
            case .message(let message):
                if live, let latency { latency.record(publishTime: message.publishTime, arrival: Timestamp.now().nanoseconds) }
                writer.write(message, as: format)
                await writer.waitForRoom()
            case .heartbeat(let session, let sequence):
                await writer.flushed()
                if heartbeats { ClientFailure.writeError("heartbeat session=\(session) seq=\(sequence)") }
            case .gap(let topic, let session, let missing, let reason):
                await writer.flushed()
                ClientFailure.writeError("gap: \(topic) session \(session) topic_seq \(missing.lowerBound)-\(missing.upperBound) \(reason)")
            case .unverified(let session, let sequences, let reason):
                await writer.flushed()
                ClientFailure.writeError(
                    "unverified: session \(session) feed_seq \(sequences.lowerBound)-\(sequences.upperBound) \(reason); anything of \(subscribedTo) among them that did not arrive live is lost")
            case .sessionChanged(let old, let new):
                await writer.flushed()
                ClientFailure.writeError("publisher restarted: session \(old) -> \(new)")
            case .replayCompleted(let messages):
                live = true
                await writer.flushed()
                ClientFailure.writeError("replayed \(messages) messages from history; now live")
            case .connectionLost(let endpoint):
                await writer.flushed()
                ClientFailure.writeError(
                    "connection to \(endpoint) lost: the publisher stopped or dropped this subscriber (a slow one, or one asking too much); reconnecting")
            case .lineSilent(let endpoint, let milliseconds):
                await writer.flushed()
                ClientFailure.writeError("line \(endpoint) silent for \(milliseconds) ms while another line delivers: the other lines carry the feed")
            case .lineResumed(let endpoint):
                await writer.flushed()
                ClientFailure.writeError("line \(endpoint) delivers again")
            }
            if let count, watch.messagesReceived >= count { return }
        }
    }
}
