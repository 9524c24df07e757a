import ChildProcesses
import Foundation

/// How a benchmark runs its programs (feed-server, a C baseline, feed-client): standard output
/// to a file of the run's work folder (results can be large), nothing on standard input, and
/// failures that name the program by its label.
extension ChildProcess {
    /// Starts `executable` with `arguments`, its stdout in `folder`/LABEL.out; inside network
    /// namespace `namespace` when given.
    convenience init(_ label: String, _ executable: String, _ arguments: [String], folder: URL, namespace: String? = nil) throws {
        let fileName = String(label.map { $0.isLetter || $0.isNumber ? $0 : "-" })
        try self.init(
            URL(fileURLWithPath: executable), arguments, label: label, stdin: .empty,
            stdout: .file(folder.appendingPathComponent("\(fileName).out")), namespace: namespace)
    }

    /// Waits for a clean exit (status 0), sampling its CPU time meanwhile (``lastCPUSeconds``);
    /// fails with the program's own words otherwise.
    func waitForSuccess(timeout: Double = 120) throws {
        let status = try waitForExit(timeout: timeout, samplingCPU: true)
        guard status == 0 else { throw failure("exited with status \(status)") }
    }

    /// SIGTERM, then a clean exit within `timeout` seconds.
    func terminate(timeout: Double = 10) throws {
        signal(SIGTERM)
        try waitForSuccess(timeout: timeout)
    }

    /// The JSON object on the last line of stdout, which every benchmark program prints.
    func jsonResult() throws -> JSONObject {
        guard let line = stdout.split(separator: "\n").last else { throw failure("printed no result") }
        return try JSONObject(String(line), from: label)
    }
}
