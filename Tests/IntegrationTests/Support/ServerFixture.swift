import Foundation
import Testing

/// A real `feed-server` on wildcard loopback ports with its own history file.
///
/// Start-up waits for the server's `ready` line, which names the ports it bound, so tests never
/// guess ports. ``stop()`` sends SIGTERM and requires a clean exit within 2 seconds. Clients the
/// fixture runs (``client(_:stdin:timeout:)``) run in the server's network namespace, if it has one.
final class ServerFixture {
    let folder: TemporaryFolder
    let process: RunningProcess
    let namespace: String?
    let databasePath: String
    let publish: String
    let ingest: String
    let replay: String
    let session: UInt32

    /// Starts `feed-server` with loopback wildcard endpoints, or with `endpoints` given as
    /// arguments (`--publish ...`), inside `namespace` if one is given.
    init(
        extraArguments: [String] = [], databasePath: String? = nil, folder: TemporaryFolder? = nil,
        endpoints: [String]? = nil, namespace: String? = nil
    ) throws {
        let folder = try folder ?? TemporaryFolder()
        self.folder = folder
        self.namespace = namespace
        self.databasePath = databasePath ?? folder.path("feed.sqlite")
        let endpointArguments =
            endpoints ?? ["--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        let arguments = endpointArguments + ["--db", self.databasePath, "--heartbeat-ms", "200"] + extraArguments
        process = try LabNetwork.run(Binaries.server, arguments, in: namespace)
        let ready = try process.waitForStderrLine(containing: "feed-server ready")
        func field(_ name: String) throws -> String {
            guard let part = ready.split(separator: " ").first(where: { $0.hasPrefix("\(name)=") }) else {
                throw ProcessFailure("ready line without \(name): \(ready)")
            }
            return String(part.dropFirst(name.count + 1))
        }
        publish = try field("publish").split(separator: ",").map(String.init).first ?? ""
        ingest = try field("ingest")
        replay = try field("replay")
        session = UInt32(try field("session"))!
    }

    /// SIGTERM, then a clean exit within 2 seconds.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try process.expectCleanStop(sourceLocation: sourceLocation)
    }

    /// Runs `feed-client` to completion and returns it.
    func client(_ arguments: [String], stdin: Data? = nil, timeout: Double = 30) throws -> RunningProcess {
        let client = try LabNetwork.run(Binaries.client, arguments, in: namespace, stdin: stdin)
        try client.waitForExit(timeout: timeout)
        return client
    }

    /// Publishes `count` sample quotes and trades (``FeedEndToEndTests/sampleInput(count:)``) with
    /// `feed-client publish` and waits until the history holds all of them.
    func publishRecordedSample(count: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (csv, _) = FeedEndToEndTests.sampleInput(count: count)
        try folder.write(csv, to: "input.csv")
        let publisher = try client(["publish", "--to", ingest, folder.path("input.csv")])
        #expect(publisher.process.terminationStatus == 0, "\(publisher.stderr)", sourceLocation: sourceLocation)
        try waitForStatus("recorded", atLeast: count)
    }

    /// Waits until a counter of the server's `status` (`subscriptions`, `recorded`, ...) reaches `count`.
    /// `credentials` are the CURVE options of a client with the replay role, for a server with CURVE.
    func waitForStatus(_ counter: String, atLeast count: Int, timeout: Double = 20, credentials: [String] = []) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var seen: Int?
        while Date() < deadline {
            let status = try client(["status", "--server", replay] + credentials)
            let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
            seen = json?[counter] as? Int
            if let seen, seen >= count { return }
        }
        throw ProcessFailure("status \(counter) did not reach \(count) within \(timeout) s (last seen: \(seen.map(String.init) ?? "none"))")
    }

    /// Starts `feed-client subscribe` and waits until it is live.
    func subscriber(_ arguments: [String]) throws -> RunningProcess {
        let client = try RunningProcess(Binaries.client, ["subscribe", "--from", publish] + arguments)
        _ = try client.waitForStderrLine(containing: "; live")
        return client
    }
}
