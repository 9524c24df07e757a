import ChildProcesses
import Foundation
import Testing

/// `scripts/lab.sh` (issue 12, part 5): the trading-floor lab builds its namespaces, runs an
/// origin with a multicast group per venue, three edge relays and seven clients, prints each
/// client's figures and removes everything, with multicast loss at the edges repaired.
@Suite(.enabled(if: LabNetwork.isAvailable, "needs root and network namespaces (scripts/netns-lab.sh check)"))
struct TradingFloorLabTests {
    @Test func everyClientReceivesItsVenuesWithNothingLostAndTheLabIsRemoved() throws {
        let name = "tf\(getpid() % 100_000)"
        let lab = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["LAB_NAME=\(name)", Binaries.repositoryRoot.appendingPathComponent("scripts/lab.sh").path,
             "--bin", Binaries.directory.path, "--seconds", "2", "--rate", "500", "--symbols", "100", "--loss", "5"])
        let status = try lab.waitForExit(timeout: 180)
        #expect(status == 0, "\(lab.stdout)\n\(lab.stderr)")
        // client via prefixes received msg/s lost p50 p99
        let rows = lab.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        #expect(rows.map { String($0[0]) } == ["direct", "c1", "c2", "c3", "c4", "c5", "c6"], "\(lab.stdout)")
        for row in rows where row.count == 8 {
            #expect((Int(row[3]) ?? 0) > 0 && row[5] == "0", "\(row.joined(separator: " "))")
        }
        let namespaces = try ChildProcess(URL(fileURLWithPath: "/usr/bin/env"), ["ip", "netns", "list"])
        #expect(try namespaces.waitForExit() == 0)
        #expect(!namespaces.stdout.contains("\(name)-"), "lab namespaces left behind: \(namespaces.stdout)")
    }
}
