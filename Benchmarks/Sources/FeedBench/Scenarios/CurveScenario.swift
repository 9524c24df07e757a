import ChildProcesses
import Foundation
import ZeroMQ

/// What CURVE costs (issue 11): the same pipeline run plain and with CURVE on every hop, side
/// by side in one run, and the rate of CURVE handshakes the server's ZAP handler lets through.
///
/// - Fan-out: the C producer (`feed_push`) pushes into a fresh feed-server's ingest as fast as
///   it takes them, one C subscriber (`pubsub_sub`) counts at the publish port, recording on
///   (``IngestRun``); interleaved, median of `repeats`. With CURVE the producer and the
///   subscriber connect with their keys, and the publish socket applies entitlements
///   (`ZMQ_XPUB_MANUAL`), so the figure is the whole feature's cost, not the cipher's alone.
/// - Latency: a paced producer at 10k msg/s → feed-server → `feed-bench latency-sub`
///   (``LatencyScenario/throughFeedServer(_:rate:folder:curve:)``).
/// - Handshakes: from this process, `count` connect–handshake–close cycles one after the other
///   against an idle server's publish port; a cycle ends when the socket monitor reports
///   HANDSHAKE_SUCCEEDED (with CURVE, after the ZAP handler let the key in).
struct CurveScenario {
    func run(_ run: BenchRun) throws -> [Figure] {
        let keys = try BenchCurveKeys(folder: try run.scratch("curve-keys"))
        let messages = run.size(1_000_000, quick: 100_000)
        var plain: [IngestRun.Result] = []
        var curve: [IngestRun.Result] = []
        for attempt in 1...run.repeats {
            run.log("curve: fan-out, run \(attempt) of \(run.repeats)")
            plain.append(try IngestRun(subscribers: 1, messages: messages).run(run, folder: try run.scratch("curve-fanout-plain")))
            curve.append(
                try IngestRun(subscribers: 1, messages: messages, curve: keys).run(run, folder: try run.scratch("curve-fanout-curve")))
        }
        run.log("curve: latency at 10k msg/s")
        let plainLatency = try LatencyScenario.throughFeedServer(run, rate: 10_000, folder: try run.scratch("curve-latency-plain"))
        let curveLatency = try LatencyScenario.throughFeedServer(
            run, rate: 10_000, folder: try run.scratch("curve-latency-curve"), curve: keys)
        let cycles = run.size(500, quick: 50)
        var plainHandshakes: [Double] = []
        var curveHandshakes: [Double] = []
        for attempt in 1...run.repeats {
            run.log("curve: \(cycles) handshakes each way, run \(attempt) of \(run.repeats)")
            plainHandshakes.append(try handshakeRate(run, cycles: cycles, curve: nil))
            curveHandshakes.append(try handshakeRate(run, cycles: cycles, curve: keys))
        }

        func median(_ results: [IngestRun.Result], _ value: (IngestRun.Result) -> Double) -> Double { results.map(value).median }
        let plainName = "same, plain"
        var figures = [
            Figure(
                name: "TCP fan-out to 1 subscriber, C producer through ingest, recording on, CURVE on every hop",
                unit: .messagesPerSecond, better: .higher, ours: median(curve, \.rate), baselineName: plainName,
                baseline: median(plain, \.rate),
                note: String(
                    format: "%d messages, history complete (checked); subscriber lost up to %.1f%% (plain %.1f%%); feed-server CPU %.0f ns/msg (plain %.0f); median of %d",
                    messages, curve.map(\.lossShare).max()! * 100, plain.map(\.lossShare).max()! * 100,
                    median(curve, \.serverCPU) * 1e9 / Double(messages), median(plain, \.serverCPU) * 1e9 / Double(messages),
                    run.repeats)),
            Figure(
                name: "producer send rate into ingest, CURVE", unit: .messagesPerSecond, better: .higher,
                ours: median(curve, \.producerRate), baselineName: plainName, baseline: median(plain, \.producerRate),
                note: "the ingest paces the producer (PUSH waits at the HWM)"),
        ]
        let ours = try curveLatency.object("publish_to_receive")
        let theirs = try plainLatency.object("publish_to_receive")
        for (label, field) in [("p50", "p50_us"), ("p99", "p99_us"), ("p99.9", "p999_us")] {
            figures.append(
                Figure(
                    name: "latency publish → receive at 10k msg/s, CURVE, \(label)", unit: .microseconds, better: .lower,
                    ours: try ours.number(field), baselineName: plainName, baseline: try theirs.number(field),
                    note: "\(Int(try ours.number("n"))) samples (plain \(Int(try theirs.number("n"))))"))
        }
        figures.append(
            Figure(
                name: "handshakes: connect, handshake, close, one after the other, CURVE + ZAP", unit: .connectionsPerSecond,
                better: .higher, ours: curveHandshakes.median, baselineName: "plain (NULL)", baseline: plainHandshakes.median,
                note: "\(cycles) cycles against an idle feed-server's publish port, until the monitor's HANDSHAKE_SUCCEEDED; median of \(run.repeats)"))
        return figures
    }

    /// Connections a second: `cycles` SUB sockets of this process, one after the other, each
    /// connected to a fresh idle feed-server and closed once its handshake succeeded.
    private func handshakeRate(_ run: BenchRun, cycles: Int, curve: BenchCurveKeys?) throws -> Double {
        let folder = try run.scratch(curve == nil ? "curve-handshakes-plain" : "curve-handshakes-curve")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder, curve: curve)
        let security = try curve?.clientSecurity()
        let context = try ZMQContext()
        let start = ContinuousClock.now
        for cycle in 1...cycles {
            let socket = try ZMQSocket(context, .sub)
            try socket.set(.linger, 0)
            let monitor = try ZMQMonitor(socket, events: ZMQMonitor.handshakeEvents)
            if let security { try socket.secure(security) }
            try socket.connect(server.publish)
            while true {
                guard let event = try monitor.next(timeoutMilliseconds: 5000) else {
                    throw BenchFailure("handshake \(cycle) with \(server.publish): no outcome within 5 s")
                }
                if event.kind == .handshakeSucceeded { break }
                guard event.kind == .connected else { throw BenchFailure("handshake \(cycle) with \(server.publish) failed (event \(event.kind))") }
            }
        }
        let elapsed = (ContinuousClock.now - start).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        try server.child.terminate()
        return Double(cycles) / seconds
    }
}
