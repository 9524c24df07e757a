/// One line of `feed-server doctor`: what was checked, what was found, and the command that
/// fixes it when something is wrong.
public struct CheckResult: Sendable, Equatable {
    /// How bad the finding is. `fail`: the server will not run as configured; `warn`: it runs, but
    /// something is likely to hurt (losses, a full disk, too few connections).
    public enum Verdict: String, Sendable, Equatable, Comparable {
        case ok, warn, fail

        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
        public static func < (lhs: Verdict, rhs: Verdict) -> Bool { lhs.rank < rhs.rank }
    }

    public let verdict: Verdict
    /// What was checked: `interface lab0 (epgm://lab0;239.192.7.1:5601)`, `net.core.rmem_max`.
    public let subject: String
    /// What was found, one sentence.
    public let finding: String
    /// A command (or the one thing to change) that fixes it; nil when there is nothing to fix.
    public let fix: String?

    public init(_ verdict: Verdict, _ subject: String, _ finding: String, fix: String? = nil) {
        self.verdict = verdict
        self.subject = subject
        self.finding = finding
        self.fix = verdict == .ok ? nil : fix
    }

    /// `fail  interface lab0 (epgm://...): interface lab0 is down; fix: ip link set lab0 up`
    public var line: String {
        let label = verdict.rawValue.padding(toLength: 4, withPad: " ", startingAt: 0)
        return "\(label)  \(subject): \(finding)" + (fix.map { "; fix: \($0)" } ?? "")
    }
}
