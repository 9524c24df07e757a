import Foundation

extension ChildProcess {
    /// The counters a stopping feed-server logs (`stopped: session S, published P, recorded R,
    /// ...`, or `stopped: forwarded F, recorded R, ...` for a relay), by name; waits up to
    /// `timeout` seconds for that line.
    public func stopSummary(timeout: Double = 20) throws -> [String: Int] {
        let line = try waitForStderrLine(containing: "stopped: ", timeout: timeout)
        let summary = line[line.range(of: "stopped: ")!.upperBound...]
        var counters: [String: Int] = [:]
        for part in summary.split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 2, let value = Int(words[1]) { counters[String(words[0])] = value }
        }
        return counters
    }
}
