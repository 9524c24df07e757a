import ChildProcesses
import Foundation
import Testing

/// deploy/feed-server.service: systemd's own checker accepts it with no complaint, and its
/// ExecStart options are options the server takes.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "needs systemd-analyze (Debian's systemd package)"))
struct ServiceUnitTests {
    static let analyzer = "/usr/bin/systemd-analyze"
    static let installedPath = "/usr/local/bin/feed-server"

    static func unit() throws -> String {
        try String(contentsOf: Binaries.repositoryRoot.appendingPathComponent("deploy/feed-server.service"), encoding: .utf8)
    }

    /// `systemd-analyze verify` exits 0 also for unknown keys and bad values (it only prints them):
    /// so any output fails the test. The installed path becomes the built binary, which verify
    /// requires to exist.
    @Test func systemdAnalyzeVerifiesTheUnitWithoutAComplaint() throws {
        let folder = try TemporaryFolder()
        let unit = try Self.unit()
        #expect(unit.contains("ExecStart=\(Self.installedPath) serve"))
        try folder.write(unit.replacingOccurrences(of: Self.installedPath, with: Binaries.server.path), to: "feed-server.service")
        let verify = try ChildProcess(URL(fileURLWithPath: Self.analyzer), ["verify", folder.path("feed-server.service")])
        #expect(try verify.waitForExit() == 0, "\(verify.stderr)")
        #expect(verify.stderr.isEmpty && verify.stdout.isEmpty, "\(verify.stdout)\(verify.stderr)")

        // A unit with a mistake is caught the same way, so the check above can fail.
        try folder.write(
            unit.replacingOccurrences(of: Self.installedPath, with: Binaries.server.path)
                .replacingOccurrences(of: "ProtectSystem=strict", with: "ProtectSystem=sideways"), to: "broken.service")
        let broken = try ChildProcess(URL(fileURLWithPath: Self.analyzer), ["verify", folder.path("broken.service")])
        _ = try broken.waitForExit()
        #expect(broken.stderr.contains("sideways"), "\(broken.stderr)")
    }

    /// The unit's ExecStart options, given to `feed-server doctor` (which takes the same ones),
    /// are not a usage error, and the doctor reports on the unit's endpoints.
    @Test func theUnitsServeOptionsAreOptionsTheServerTakes() throws {
        let unit = try Self.unit().replacingOccurrences(of: "\\\n", with: " ")
        let execStart = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") })
        let words = execStart.split(separator: " ").map(String.init)
        #expect(words.prefix(2) == ["ExecStart=\(Self.installedPath)", "serve"])
        let folder = try TemporaryFolder()
        // The unit's CURVE files, made here: the credential systemd would load and the clients folder.
        let keys = try CurveKeys()
        let options = Array(words.dropFirst(2)).map { word in
            if word.hasPrefix("/var/lib/feed-server/") { return folder.path("feed.sqlite") }
            if word == "${CREDENTIALS_DIRECTORY}/server.key_secret" { return keys.folder.path("server.key_secret") }
            if word == "/etc/feed-server/clients" { return keys.clientsFolder }
            return word
        }
        let doctor = try ChildProcess(Binaries.server, ["doctor"] + options)
        let status = try doctor.waitForExit()
        #expect(status == 0 || status == 1, "\(doctor.stderr)")
        #expect(doctor.stdout.contains("--publish tcp://0.0.0.0:5556: "), "\(doctor.stdout)")
        #expect(doctor.stdout.contains("--replay tcp://0.0.0.0:5558: "), "\(doctor.stdout)")
    }
}
