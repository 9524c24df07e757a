import Foundation

/// A program a benchmark starts (feed-server, a C baseline, feed-client), with its output in
/// files of the run's work folder.
///
/// Every wait is on something the program does (a line on stderr, its exit) and bounded by a
/// timeout that fails the benchmark instead of hanging it. The process is killed when this
/// object goes away, so a failed benchmark leaves nothing running. Owned by the thread that
/// runs the benchmark.
final class ChildProcess {
    let label: String
    private let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL
    /// The CPU time last read while waiting for the process to exit: what it used in all.
    private(set) var lastCPUSeconds = 0.0
    /// Signalled once when the process has exited, so waits end at the exit, not at a poll.
    private let exited = DispatchSemaphore(value: 0)
    /// Reads stderr on from where the last look stopped, so a wait reads each byte once.
    private let stderrReader: FileHandle
    /// The lines of stderr read so far, and the start of one not yet ended.
    private var stderrLines: [String] = []
    private var stderrUnended = Data()

    /// Starts `executable` with `arguments`; inside network namespace `namespace` when given
    /// (through `ip netns exec`, which keeps the process id).
    init(_ label: String, _ executable: String, _ arguments: [String], folder: URL, namespace: String? = nil) throws {
        self.label = label
        let safeLabel = label.map { $0.isLetter || $0.isNumber ? $0 : "-" }
        stdoutURL = folder.appendingPathComponent("\(String(safeLabel)).out")
        stderrURL = folder.appendingPathComponent("\(String(safeLabel)).err")
        for url in [stdoutURL, stderrURL] where !FileManager.default.createFile(atPath: url.path, contents: nil) {
            throw BenchFailure("\(label): cannot create \(url.path)")
        }
        if let namespace {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, executable] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
        }
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        stderrReader = try FileHandle(forReadingFrom: stderrURL)
        process.standardInput = FileHandle.nullDevice
        let exited = exited
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw BenchFailure("\(label): cannot start \(executable): \(error)")
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var standardOutput: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }
    var standardError: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

    /// Waits until a line of stderr contains `text`; returns that line. Looks every 10 ms at
    /// what stderr gained since the last look only, however long the program's log grows.
    @discardableResult
    func waitForStderr(containing text: String, timeout: Duration = .seconds(60)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var checked = 0
        while true {
            let ended = !process.isRunning
            readStderr(includingUnended: ended)
            if let line = stderrLines[checked...].first(where: { $0.contains(text) }) { return line }
            checked = stderrLines.count
            guard !ended else {
                throw BenchFailure("\(label) exited (status \(process.terminationStatus)) before printing '\(text)':\n\(tail)")
            }
            guard ContinuousClock.now < deadline else { throw BenchFailure("\(label): no '\(text)' within \(timeout):\n\(tail)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Takes in the lines stderr gained since the last call; `includingUnended` also takes a
    /// last line without its newline (the program has exited, so none will follow).
    private func readStderr(includingUnended: Bool) {
        stderrUnended.append((try? stderrReader.readToEnd()) ?? Data())
        var start = stderrUnended.startIndex
        while let newline = stderrUnended[start...].firstIndex(of: 0x0A) {
            stderrLines.append(String(decoding: stderrUnended[start..<newline], as: UTF8.self))
            start = newline + 1
        }
        stderrUnended = Data(stderrUnended[start...])
        if includingUnended, !stderrUnended.isEmpty {
            stderrLines.append(String(decoding: stderrUnended, as: UTF8.self))
            stderrUnended = Data()
        }
    }

    /// Waits for the process to exit and returns its status; kills it and fails after `timeout`.
    /// Returns as soon as it has exited (the exit is signalled, not polled), so a short command
    /// can be timed by its caller; its CPU time is sampled every 10 ms meanwhile.
    @discardableResult
    func waitForExit(timeout: Duration = .seconds(120)) throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let cpu = cpuSeconds { lastCPUSeconds = cpu }
            if exited.wait(timeout: .now() + .milliseconds(10)) == .success {
                exited.signal()  // Later waits return at once too.
                break
            }
            guard ContinuousClock.now < deadline else {
                kill(process.processIdentifier, SIGKILL)
                throw BenchFailure("\(label) still running after \(timeout):\n\(tail)")
            }
        }
        return process.terminationStatus
    }

    /// Waits for a clean exit (status 0); fails with the program's own words otherwise.
    func waitForSuccess(timeout: Duration = .seconds(120)) throws {
        let status = try waitForExit(timeout: timeout)
        guard status == 0 else { throw BenchFailure("\(label) exited with status \(status):\n\(tail)") }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// SIGTERM, then a clean exit within `timeout`.
    func terminate(timeout: Duration = .seconds(10)) throws {
        signal(SIGTERM)
        try waitForSuccess(timeout: timeout)
    }

    /// The JSON object on the last line of stdout, which every benchmark program prints.
    func jsonResult() throws -> JSONObject {
        guard let line = standardOutput.split(separator: "\n").last else {
            throw BenchFailure("\(label) printed no result:\n\(tail)")
        }
        return try JSONObject(String(line), from: label)
    }

    /// User plus system CPU time so far, from /proc (nil once the process has gone).
    var cpuSeconds: Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now and at its peak, in bytes, from /proc (nil once the process has gone).
    var memory: (resident: Int, peak: Int)? {
        guard let status = try? String(contentsOfFile: "/proc/\(processIdentifier)/status", encoding: .utf8) else {
            return nil
        }
        func kilobytes(_ field: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }) else { return nil }
            return line.split(separator: " ").compactMap { Int($0) }.first
        }
        guard let resident = kilobytes("VmRSS"), let peak = kilobytes("VmHWM") else { return nil }
        return (resident * 1024, peak * 1024)
    }

    /// The last lines of stderr, for failure messages.
    private var tail: String { standardError.split(separator: "\n").suffix(15).joined(separator: "\n") }
}

@available(*, unavailable)
extension ChildProcess: Sendable {}

/// A benchmark could not run as planned; the message says which program did what.
struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
