import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// `--metrics`: Prometheus text at `GET /metrics` for the server and the relay, scraped by a
/// real HTTP client, checked by promtool, with values that match what the test made happen; and
/// an endpoint that answers nothing else and no peer can stop.
@Suite(.serialized)
struct MetricsEndpointTests {
    static let wildcard = ["--metrics", "tcp://127.0.0.1:*"]

    @Test func serverMetricsCountWhatHappenedAndPassPromtool() throws {
        let server = try ServerFixture(extraArguments: Self.wildcard)
        let metrics = try server.process.metricsEndpoint(readyLine: "feed-server ready")
        try server.publishRecordedSample(count: 500)
        let context = try ZMQContext()
        let producer = try ZMQSocket(context, .push)
        try producer.set(.linger, 1000)
        try producer.connect(server.ingest)
        try producer.send([UInt8]("one frame is not a feed message".utf8))
        let history = try server.client(["history", "--server", server.replay, "--count-only"])
        #expect(history.exitStatus == 0, "\(history.stderr)")

        let historyOK = #"feed_replay_requests_total{op="history",result="ok"}"#
        let scrape = try MetricsScrape.waitFor(metrics, "the rejected message, the history request and no lag") { samples in
            samples[#"feed_rejected_messages_total{kind="wrong_frame_count"}"#] == 1 && samples["feed_recorder_lag_messages"] == 0
                && (samples[historyOK] ?? 0) >= 1
                && samples[#"feed_replay_request_duration_seconds_count{op="history"}"#] == samples[historyOK]
                && (samples["feed_history_newest_timestamp_seconds"] ?? 0) > 0
        }
        #expect(scrape.contentType.hasPrefix("text/plain; version=0.0.4"))
        let samples = scrape.samples
        #expect(samples["feed_published_messages_total"] == 500)
        #expect(samples["feed_recorded_messages_total"] == 500)
        #expect(samples["feed_unrecorded_messages_total"] == 0)
        #expect(samples["feed_last_feed_sequence"] == 500)
        #expect(samples["feed_recorder_lag_seconds"] == 0)
        // The history's range holds the sample's publish times (now), its pages are in use.
        let oldest = try #require(samples["feed_history_oldest_timestamp_seconds"])
        let newest = try #require(samples["feed_history_newest_timestamp_seconds"])
        #expect(oldest <= newest && abs(newest - Date().timeIntervalSince1970) < 600)
        #expect((samples["feed_history_bytes_in_use"] ?? 0) > 0 && samples["feed_history_bytes_in_use"]! <= samples["feed_history_size_bytes"]!)
        #expect(samples["feed_history_expired_messages_total"] == 0)
        // The fixture's status polls and the history client: every one answered, none dropped.
        let statusOK = samples[#"feed_replay_requests_total{op="status",result="ok"}"#] ?? 0
        #expect(statusOK >= 1)
        #expect(samples[#"feed_replay_request_duration_seconds_bucket{op="status",le="+Inf"}"#] == statusOK)
        #expect(samples["feed_replay_dropped_replies_total"] == 0)
        // Without multicast there is no multicast metric at all (absent, not 0).
        #expect(!scrape.has("feed_multicast_waits_total") && !scrape.has("feed_multicast_rate_limit_bytes_per_second"))
        try scrape.expectPromtoolAccepts()
        try server.stop()
    }

    @Test func relayMetricsCountForwardedAndRecordedAndPassPromtool() throws {
        let origin = try ServerFixture()
        let relay = try ChildProcess(
            Binaries.server,
            ["relay", "--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*", "--db", origin.folder.path("relay.sqlite")]
                + Self.wildcard)
        let metrics = try relay.metricsEndpoint(readyLine: "feed-relay ready")
        // A relay that records forwards without subscribers; wait until it is connected upstream.
        try origin.waitForStatus("subscriptions", atLeast: 1)
        try origin.publishRecordedSample(count: 300)
        let scrape = try MetricsScrape.waitFor(metrics, "300 messages recorded") { $0["feed_recorded_messages_total"] == 300 }
        let samples = scrape.samples
        #expect(samples["feed_published_messages_total"] == 300)
        #expect(samples["feed_unrecorded_messages_total"] == 0)
        #expect(samples["feed_recorder_lag_messages"] == 0)
        #expect(!scrape.has("feed_replay_requests_total"), "a relay answers no replay requests")
        try scrape.expectPromtoolAccepts()
        try relay.expectCleanStop()

        // Without a history a relay records nothing: no recorder metrics at all.
        let bare = try ChildProcess(
            Binaries.server, ["relay", "--upstream", origin.publish, "--publish", "tcp://127.0.0.1:*"] + Self.wildcard)
        let bareScrape = try MetricsScrape(try bare.metricsEndpoint(readyLine: "feed-relay ready"))
        #expect(bareScrape.status == 200)
        #expect(bareScrape.has("feed_published_messages_total"))
        #expect(!bareScrape.has("feed_recorded_messages_total") && !bareScrape.has("feed_recorder_lag_seconds"))
        try bareScrape.expectPromtoolAccepts()
        try bare.expectCleanStop()
        try origin.stop()
    }

    @Test(.enabled(if: LabNetwork.isAvailable, "needs root and network namespaces (scripts/netns-lab.sh check)"))
    func multicastMetricsShowTheRateLimitAndTheWaitsForIt() throws {
        let lab = try LabNetwork()
        let server = try MulticastLabTests.startServer(in: lab, rate: MulticastLabTests.bottleneckRate, extra: Self.wildcard)
        let metrics = try server.process.metricsEndpoint(readyLine: "feed-server ready")
        try MulticastLabTests.publish(server, count: 1000)
        _ = try server.process.waitForStderrLine(containing: "is the bottleneck")
        let scrape = try MetricsScrape.waitFor(metrics, "a multicast wait", namespace: lab.namespace("pub")) { samples in
            samples.contains { $0.key.hasPrefix("feed_multicast_wait_seconds_total{") && $0.value > 0 }
        }
        let samples = scrape.samples
        let endpoint = try #require(server.process.stderr.split(separator: " ").first { $0.hasPrefix("publish=") }?.split(separator: ",").last)
        // 100 kbit/s is 12,500 bytes/s.
        #expect(samples["feed_multicast_rate_limit_bytes_per_second{endpoint=\"\(endpoint)\"}"] == 12_500, "\(scrape.body)")
        #expect((samples["feed_multicast_waits_total{endpoint=\"\(endpoint)\"}"] ?? 0) > 0, "\(scrape.body)")
        #expect(samples["feed_multicast_given_up_messages_total{endpoint=\"\(endpoint)\"}"] == 0, "nothing is given up before a stop")
        try scrape.expectPromtoolAccepts()
        try server.stop()
    }

    @Test func endpointAnswersOnlyGetMetricsAndOutlastsHostilePeers() throws {
        let server = try ServerFixture(extraArguments: Self.wildcard)
        let metrics = try server.process.metricsEndpoint(readyLine: "feed-server ready")
        #expect(try MetricsScrape(metrics, path: "/").status == 404)
        #expect(try MetricsScrape(metrics, path: "/metrics/x").status == 404)
        #expect(try MetricsScrape(metrics, method: "POST").status == 405)
        #expect(try MetricsScrape(metrics, path: "/metrics?name[]=x").status == 200)

        // Raw peers: a head over 8 KiB, garbage, 200 idle connections held open while a real
        // scrape must still be answered, and one that stops half-way (closed after 5 s).
        let address = metrics.dropFirst("tcp://".count)
        let script = """
            import socket, sys, time, urllib.request
            host, port = sys.argv[1].rsplit(":", 1)
            def connect():
                return socket.create_connection((host, int(port)), timeout=15)
            def answer(data):
                peer = connect()
                peer.sendall(data)
                reply = peer.recv(100).split(b"\\r\\n")[0].decode()
                peer.close()
                return reply
            print("oversized", answer(b"GET /metrics HTTP/1.1\\r\\nX: " + b"a" * 20000 + b"\\r\\n\\r\\n"))
            print("garbage", answer(b"\\x16\\x03\\x01 hello\\r\\n\\r\\n"))
            idle = [connect() for _ in range(200)]
            with urllib.request.urlopen(f"http://{sys.argv[1]}/metrics", timeout=15) as response:
                print("scrape with idle peers", response.status)
            for peer in idle:
                peer.close()
            half = connect()
            half.sendall(b"GET /metrics HTTP/1.1\\r\\n")
            started = time.monotonic()
            closed = half.recv(100) == b""
            print("half-sent request closed", closed, 4 <= time.monotonic() - started <= 10)
            """
        let peers = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, String(address)])
        #expect(try peers.waitForExit(timeout: 30) == 0, "\(peers.stderr)")
        #expect(
            peers.stdout.split(separator: "\n") == [
                "oversized HTTP/1.1 431 Request Header Fields Too Large", "garbage HTTP/1.1 400 Bad Request",
                "scrape with idle peers 200", "half-sent request closed True True",
            ], "\(peers.stdout)")
        // The feed and the endpoint carry on.
        try server.publishRecordedSample(count: 10)
        #expect(try MetricsScrape(metrics).samples["feed_recorded_messages_total"] == 10)
        try server.stop()
    }

    @Test(arguments: [
        ["--metrics", "http://127.0.0.1:9464"], ["--metrics", "tcp://127.0.0.1:99999"], ["--metrics", "ipc:///tmp/metrics"],
        ["relay", "--upstream", "tcp://127.0.0.1:5556", "--publish", "tcp://127.0.0.1:*", "--metrics", "tcp://127.0.0.1"],
    ])
    func badMetricsEndpointIsAUsageError(arguments: [String]) throws {
        let process = try ChildProcess(Binaries.server, arguments)
        #expect(try process.waitForExit() == 64, "\(arguments): \(process.stderr)")
        #expect(process.stderr.split(separator: "\n").count == 1 && process.stderr.contains("--metrics"), "\(process.stderr)")
    }
}
