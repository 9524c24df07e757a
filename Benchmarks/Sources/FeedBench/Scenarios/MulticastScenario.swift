import ChildProcesses
import Foundation

/// PGM multicast (epgm) throughput and loss in a three-host namespace lab
/// (`scripts/netns-lab.sh`): raw libzmq in C (`epgm_pub` to two `epgm_sub`) against feed-server
/// publishing with `--multicast`, fed by a C producer, to two `pubsub_sub`; 64-byte bodies,
/// both at the same PGM rate, in the same lab, one after the other. Subscriber 2 drops 1% of its
/// incoming UDP at random (nftables), so PGM has losses to repair on both sides.
///
/// Multicast never leaves the lab's namespaces; the lab is removed when the scenario ends.
struct MulticastScenario {
    let repository: URL
    static let rateKilobits = 100_000

    func run(_ run: BenchRun) throws -> [Figure] {
        let script = repository.appendingPathComponent("scripts/netns-lab.sh").path
        let folder = try run.scratch("multicast")
        let check = try ChildProcess("lab-check", script, ["check"], folder: folder)
        guard try check.waitForExit(timeout: 120) == 0 else {
            run.log("multicast: skipped, \(check.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            return []
        }
        let lab = try Lab(script: script, name: "fb\(getpid() % 100_000)", folder: folder)
        defer { lab.remove() }
        let count = run.size(300_000, quick: 30_000)
        let rate = String(Self.rateKilobits)
        let (rawPort, feedPort) = (5601, 5602)
        for port in [rawPort, feedPort] { try lab.dropIncoming(host: "sub2", percent: 1, port: port) }

        run.log("multicast: raw epgm, \(count) messages")
        let rawSubscribers = try ["sub1", "sub2"].map { host in
            try ChildProcess(
                "raw-\(host)", run.baseline("epgm_sub"), ["-e", lab.endpoint(host, port: rawPort), "-r", rate],
                folder: folder, namespace: lab.namespace(host))
        }
        for subscriber in rawSubscribers { try subscriber.waitForStderrLine(containing: "ready", timeout: 60) }
        // epgm_pub opens with 500 ms of warm-up messages the subscribers ignore, so their PGM
        // receivers know the source before the first counted message.
        let publisher = try ChildProcess(
            "raw-pub", run.baseline("epgm_pub"),
            ["-e", lab.endpoint("pub", port: rawPort), "-n", String(count), "-r", rate, "-w", "500", "-l", "2000"],
            folder: folder, namespace: lab.namespace("pub"))
        try publisher.waitForSuccess(timeout: 300)
        // epgm_sub exits 2 when something is missing; the result line says what, and is reported.
        let raw = try rawSubscribers.map { subscriber in
            try subscriber.waitForExit(timeout: 120)
            return try subscriber.jsonResult()
        }

        run.log("multicast: feed-server --multicast, \(count) messages")
        let server = try FeedServerProcess(
            run, label: "feed-server", database: folder.appendingPathComponent("feed.sqlite"), folder: folder,
            arguments: [
                "--multicast", lab.endpoint("pub", port: feedPort), "--multicast-rate", rate, "--heartbeat-ms", "100",
            ],
            namespace: lab.namespace("pub"))
        // Ready after the first message: the server's heartbeats over PGM prove the receiver joined.
        // An unlimited receive queue, as epgm_sub has: see its header on libzmq issue 3218.
        let subscribers = try ["sub1", "sub2"].map { host in
            try ChildProcess(
                "feed-\(host)", run.baseline("pubsub_sub"), ["-e", lab.endpoint(host, port: feedPort), "-w", "-r", rate, "-H", "0"],
                folder: folder, namespace: lab.namespace(host))
        }
        for subscriber in subscribers { try subscriber.waitForStderrLine(containing: "ready", timeout: 60) }
        let producer = try ChildProcess(
            "producer", run.baseline("feed_push"), ["-e", server.ingest, "-n", String(count)], folder: folder,
            namespace: lab.namespace("pub"))
        try producer.waitForSuccess(timeout: 300)
        for subscriber in subscribers { try subscriber.waitForSuccess() }
        try server.child.terminate()
        let ours = try subscribers.map { try $0.jsonResult() }

        func missing(_ results: [JSONObject]) throws -> String {
            try results.map { String(Int(try $0.number("missing"))) }.joined(separator: " and ")
        }
        return [
            Figure(
                name: "multicast (epgm, \(Self.rateKilobits / 1000) Mbit/s) to 2 subscribers, 64-byte bodies, one dropping 1%",
                unit: .messagesPerSecond, better: .higher, ours: try ours.map { try $0.number("rate") }.min()!,
                baselineName: "raw epgm in C", baseline: try raw.map { try $0.number("rate") }.min()!,
                note: "slower subscriber; missing after PGM repair: ours \(try missing(ours)), raw \(try missing(raw)) of \(count)"),
        ]
    }
}

/// A lab made by `scripts/netns-lab.sh` for one scenario; removed by ``remove()``.
private final class Lab {
    let script: String
    let name: String
    let folder: URL
    private var addresses: [String: String] = [:]

    init(script: String, name: String, folder: URL) throws {
        self.script = script
        self.name = name
        self.folder = folder
        let up = try ChildProcess("lab-up", script, ["up", name], folder: folder)
        guard try up.waitForExit(timeout: 120) == 0 else {
            remove()
            throw BenchFailure("cannot build the lab: \(up.stderr)")
        }
        // Lines of "HOST NAMESPACE INTERFACE ADDRESS".
        for line in up.stdout.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count == 4 { addresses[String(fields[0])] = String(fields[3]) }
        }
    }

    func namespace(_ host: String) -> String { "\(name)-\(host)" }

    /// The epgm endpoint on `host`'s lab interface, by address.
    func endpoint(_ host: String, port: Int) -> String { "epgm://\(addresses[host] ?? "?");239.192.9.1:\(port)" }

    func dropIncoming(host: String, percent: Int, port: Int) throws {
        let loss = try ChildProcess("lab-loss-\(port)", script, ["loss", name, host, String(percent), String(port)], folder: folder)
        try loss.waitForSuccess()
    }

    func remove() {
        _ = try? ChildProcess("lab-down", script, ["down", name], folder: folder).waitForExit(timeout: 120)
    }
}
