import ChildProcesses
import Foundation
import Testing

extension ChildProcess {
    /// SIGTERM, then a clean exit (status 0) within `seconds`, as the daemons promise. Returns
    /// how long the exit took.
    @discardableResult
    func expectCleanStop(within seconds: Double = 2, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        signal(SIGTERM)
        let started = Date()
        let status = try waitForExit(timeout: seconds + 3)
        let elapsed = Date().timeIntervalSince(started)
        #expect(status == 0, "\(label) exit status \(status); stderr:\n\(stderr)", sourceLocation: sourceLocation)
        #expect(elapsed < seconds, "\(label) took \(elapsed) s to stop", sourceLocation: sourceLocation)
        return elapsed
    }
}
