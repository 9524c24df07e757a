import ArgumentParser
import FeedClientKit
import FeedModel
import Foundation
import Histogram
import ZeroMQ

/// `feed-bench latency-sub`: subscribes to everything at ENDPOINT through the client library's
/// `FeedSubscriber` and records, for every data message, the wall-clock time from its
/// publish time (and from its event time) to its arrival, in HdrHistogram; ends at the first
/// `BENCH.END` message and prints the percentiles as JSON.
///
/// The same program measures the raw C publisher and feed-server, so both latencies include
/// the same receive and decode work. Both ends read CLOCK_REALTIME on the same host.
struct LatencySubscriberCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency-sub", abstract: "Measure publish-to-receive latency; print percentiles as JSON.")

    @Option(name: .customShort("e"), help: "Endpoint to subscribe to.")
    var endpoint: String

    @Flag(help: "Wait for feed-server's heartbeat answer before saying ready (a raw publisher sends none).")
    var waitLive = false

    @Option(help: "Leave out the first SKIP milliseconds after the first message (warm-up).")
    var skipMilliseconds = 500

    @Option(help: "Give up when no message came for this long (milliseconds).")
    var idleMilliseconds = 30_000

    @Option(help: "With CURVE: the server's public certificate (SERVER.key).")
    var curveServerKey: String?

    @Option(help: "With CURVE: this subscriber's secret certificate (NAME.key_secret).")
    var curveKey: String?

    static let endTopic = "BENCH.END"

    func validate() throws {
        if (curveServerKey == nil) != (curveKey == nil) {
            throw ValidationError("--curve-server-key and --curve-key go together")
        }
    }

    func run() throws {
        let context = try ZMQContext()
        let curve = try curveServerKey.map { try BenchCurveKeys.clientSecurity(serverKeyFile: $0, secretFile: curveKey!) }
        let subscriber = try FeedSubscriber(context: context, endpoint: endpoint, prefixes: [], curve: curve)
        if waitLive {
            guard try subscriber.waitUntilLive(timeoutMilliseconds: 10_000) else {
                throw ValidationError("no heartbeat from \(endpoint) within 10 s")
            }
        }
        FileHandle.standardError.write(Data("ready\n".utf8))

        var fromPublish = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        var fromEvent = fromPublish
        var received = 0
        var skipUntil: ContinuousClock.Instant?
        while let event = try subscriber.next(timeoutMilliseconds: idleMilliseconds) {
            guard case .message(let message) = event else { continue }
            let arrival = Timestamp.now().nanoseconds
            if message.topic.rawValue == Self.endTopic { break }
            received += 1
            let now = ContinuousClock.now
            if skipUntil == nil { skipUntil = now + .milliseconds(skipMilliseconds) }
            guard now >= skipUntil! else { continue }
            fromPublish.record(UInt64(max(0, arrival - message.publishTime)))
            fromEvent.record(UInt64(max(0, arrival - message.eventTime)))
        }
        printJSON([
            "received": received, "publish_to_receive": Self.percentiles(fromPublish),
            "event_to_receive": Self.percentiles(fromEvent),
        ])
    }

    /// Count and percentiles in microseconds.
    private static func percentiles(_ histogram: Histogram<UInt64>) -> [String: Double] {
        func microseconds(_ percentile: Double) -> Double { Double(histogram.valueAtPercentile(percentile)) / 1000 }
        return [
            "n": Double(histogram.totalCount), "p50_us": microseconds(50), "p99_us": microseconds(99),
            "p999_us": microseconds(99.9), "max_us": Double(histogram.max) / 1000,
        ]
    }
}
