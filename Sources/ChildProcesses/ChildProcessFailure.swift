import Foundation

/// A child process did not do what its caller waited for (or could not start); the message
/// names the program, says what went wrong, and ends with the last lines it wrote to stderr.
public struct ChildProcessFailure: Error, CustomStringConvertible {
    /// The program's label.
    public let label: String
    /// What went wrong, e.g. "no 'ready' on stderr within 20.0 s".
    public let problem: String
    /// The last lines of the program's stderr (at most ``tailLines``).
    public let stderrTail: String

    /// How many of the last stderr lines a failure keeps.
    public static let tailLines = 30

    /// A failure of program `label`, keeping the end of `stderr`.
    public init(label: String, problem: String, stderr: String) {
        self.label = label
        self.problem = problem
        stderrTail = stderr.split(separator: "\n", omittingEmptySubsequences: false).suffix(Self.tailLines).joined(separator: "\n")
    }

    /// "LABEL: PROBLEM; its stderr ends:" and the tail.
    public var description: String {
        let tail = stderrTail.trimmingCharacters(in: .newlines)
        return "\(label): \(problem)" + (tail.isEmpty ? "" : "; its stderr ends:\n\(tail)")
    }
}
