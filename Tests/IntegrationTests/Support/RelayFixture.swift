import ChildProcesses
import Foundation
import Testing

/// A real `feed-server relay`, started with the arguments given, inside `namespace` if one is
/// given. Start-up waits for its `ready` line, which names its publish and replay endpoints.
final class RelayFixture: ReplayStatusSource {
    let process: ChildProcess
    let namespace: String?
    /// The first publish endpoint bound.
    let publish: String
    /// The replay endpoint bound ("" without `--replay`).
    let replay: String

    init(_ arguments: [String], namespace: String? = nil) throws {
        self.namespace = namespace
        process = try LabNetwork.run(Binaries.server, ["relay"] + arguments, in: namespace)
        let ready = try process.waitForStderrLine(containing: "feed-relay ready")
        func field(_ name: String) -> String? {
            ready.split(separator: " ").first { $0.hasPrefix("\(name)=") }.map { String($0.dropFirst(name.count + 1)) }
        }
        guard let publish = field("publish")?.split(separator: ",").first else {
            throw FixtureFailure("ready line without publish=: \(ready)")
        }
        self.publish = String(publish)
        replay = field("replay") ?? ""
    }

    /// Runs `feed-client` to completion (in the relay's namespace, if it has one) and returns it.
    func client(_ arguments: [String], stdin: ChildProcess.Input = .open, timeout: Double = 30) throws -> ChildProcess {
        let client = try LabNetwork.run(Binaries.client, arguments, in: namespace, stdin: stdin)
        try client.waitForExit(timeout: timeout)
        return client
    }

    /// SIGTERM, then a clean exit within 2 seconds.
    func stop(sourceLocation: SourceLocation = #_sourceLocation) throws {
        try process.expectCleanStop(sourceLocation: sourceLocation)
    }
}
