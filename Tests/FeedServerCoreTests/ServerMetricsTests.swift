import Foundation
import Testing

@testable import FeedServerCore

/// The metrics catalog: one entry per name, each with help text and a row in README.md.
struct ServerMetricsTests {
    @Test func namesAreUniqueAndEachHasHelpAndAReadmeRow() throws {
        let names = ServerMetrics.names
        #expect(Set(names).count == names.count, "a metric name is listed twice: \(names)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        for name in names {
            #expect(ServerMetrics.help(for: name)?.isEmpty == false, "\(name) has no help text")
            #expect(readme.contains("| `\(name)` |"), "README.md's Metrics table lacks \(name)")
        }
    }
}
