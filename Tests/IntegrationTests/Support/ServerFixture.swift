import ChildProcesses
import Foundation
import Testing

/// A real `feed-server` on wildcard loopback ports with its own history file.
///
/// Start-up waits for the server's `ready` line, which names the ports it bound, so tests never
/// guess ports. ``stop()`` sends SIGTERM and requires a clean exit within 2 seconds. Clients the
/// fixture runs (``client(_:stdin:timeout:)``) run in the server's network namespace, if it has one.
final class ServerFixture: ReplayStatusSource {
    let folder: TemporaryFolder
    let process: ChildProcess
    let namespace: String?
    let databasePath: String
    let publish: String
    let ingest: String
    let replay: String
    let session: UInt32

    /// Starts `feed-server` with loopback wildcard endpoints, or with `endpoints` given as
    /// arguments (`--publish ...`), inside `namespace` if one is given, with soft and hard
    /// RLIMIT_NOFILE set to `descriptorLimit` if one is given.
    init(
        extraArguments: [String] = [], databasePath: String? = nil, folder: TemporaryFolder? = nil,
        endpoints: [String]? = nil, namespace: String? = nil, descriptorLimit: Int? = nil
    ) throws {
        let folder = try folder ?? TemporaryFolder()
        self.folder = folder
        self.namespace = namespace
        self.databasePath = databasePath ?? folder.path("feed.sqlite")
        let endpointArguments =
            endpoints ?? ["--publish", "tcp://127.0.0.1:*", "--ingest", "tcp://127.0.0.1:*", "--replay", "tcp://127.0.0.1:*"]
        let arguments = endpointArguments + ["--db", self.databasePath, "--heartbeat-ms", "200"] + extraArguments
        if let descriptorLimit {
            let limit = ["--nofile=\(descriptorLimit):\(descriptorLimit)", "--", Binaries.server.path]
            process = try LabNetwork.run(URL(fileURLWithPath: "/usr/bin/prlimit"), limit + arguments, in: namespace)
        } else {
            process = try LabNetwork.run(Binaries.server, arguments, in: namespace)
        }
        let ready = try process.waitForStderrLine(containing: "feed-server ready")
        func field(_ name: String) throws -> String {
            guard let part = ready.split(separator: " ").first(where: { $0.hasPrefix("\(name)=") }) else {
                throw FixtureFailure("ready line without \(name): \(ready)")
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
    func client(_ arguments: [String], stdin: ChildProcess.Input = .open, timeout: Double = 30) throws -> ChildProcess {
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
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)", sourceLocation: sourceLocation)
        try waitForStatus("recorded", atLeast: count)
    }

    /// Starts `feed-client publish` of `count` sample messages into the ingest endpoint and
    /// returns at once: the stream flows while the test acts on it.
    func startPublishingSample(count: Int) throws -> ChildProcess {
        let (csv, _) = FeedEndToEndTests.sampleInput(count: count)
        try folder.write(csv, to: "stream.csv")
        return try ChildProcess(Binaries.client, ["publish", "--to", ingest, folder.path("stream.csv")])
    }

    /// The server's resident memory in bytes (VmRSS).
    var residentBytes: Int { get throws { try memory.resident } }

    /// The most resident memory the server has had so far, in bytes (VmHWM).
    var peakResidentBytes: Int { get throws { try memory.peak } }

    private var memory: MemoryUse {
        get throws {
            guard let memory = process.memory else { throw process.failure("no memory figures in /proc: gone") }
            return memory
        }
    }

    /// Starts `feed-client subscribe` and waits until it is live; with `stdout: .unread`, nobody
    /// reads what it prints.
    func subscriber(_ arguments: [String], stdout: ChildProcess.Output = .captured) throws -> ChildProcess {
        let client = try ChildProcess(Binaries.client, ["subscribe", "--from", publish] + arguments, stdout: stdout)
        _ = try client.waitForStderrLine(containing: "; live")
        return client
    }
}
