import Foundation
import Testing

/// A real child process (feed-server, feed-client, python) with its output captured, for
/// tests that drive the binaries the way a user does. Waits are on observable events
/// (a line on stderr, process exit), each bounded by a timeout that fails the test.
final class RunningProcess: @unchecked Sendable {  // Mutable state is guarded by `condition`.
    let process = Process()
    let arguments: [String]
    private let condition = NSCondition()
    private var stdoutData = Data()
    private var stderrData = Data()
    private var exited = false
    private let stdinPipe = Pipe()
    /// Standard output when nobody reads it: a reader that stalled.
    private let unreadStdout: Pipe?

    /// Starts `executable` with `arguments`; with `stdoutUnread`, its standard output is a pipe
    /// that nobody reads, so once the pipe is full every write to it blocks.
    init(_ executable: URL, _ arguments: [String], stdin: Data? = nil, stdoutUnread: Bool = false) throws {
        self.arguments = arguments
        process.executableURL = executable
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        unreadStdout = stdoutUnread ? out : nil
        process.standardOutput = out
        process.standardError = err
        process.standardInput = stdinPipe
        // One reader thread per pipe, each until end of file; the exit is reported only once both
        // pipes are drained, so no late chunk of output can miss a test that waited for the exit.
        let readers = DispatchGroup()
        for (pipe, isStdout) in stdoutUnread ? [(err, false)] : [(out, true), (err, false)] {
            readers.enter()
            Thread.detachNewThread { [weak self] in
                let handle = pipe.fileHandleForReading
                while case let data = handle.availableData, !data.isEmpty {
                    self?.append(data, toStdout: isStdout)
                }
                readers.leave()
            }
        }
        process.terminationHandler = { [weak self] _ in
            readers.notify(queue: .global()) {
                guard let self else { return }
                self.condition.lock()
                self.exited = true
                self.condition.broadcast()
                self.condition.unlock()
            }
        }
        try process.run()
        if let stdin {
            stdinPipe.fileHandleForWriting.write(stdin)
        }
        if stdin != nil { try stdinPipe.fileHandleForWriting.close() }
    }

    private func append(_ data: Data, toStdout: Bool) {
        guard !data.isEmpty else { return }
        condition.lock()
        if toStdout { stdoutData.append(data) } else { stderrData.append(data) }
        condition.broadcast()
        condition.unlock()
    }

    var stdout: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: stdoutData, as: UTF8.self)
    }

    var stderr: String {
        condition.lock()
        defer { condition.unlock() }
        return String(decoding: stderrData, as: UTF8.self)
    }

    /// Waits until a line of stderr contains `text`; returns that line.
    func waitForStderrLine(containing text: String, timeout: Double = 20) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while true {
            let lines = String(decoding: stderrData, as: UTF8.self).split(separator: "\n")
            if let line = lines.first(where: { $0.contains(text) }) { return String(line) }
            if exited { throw ProcessFailure("exited before printing '\(text)'; stderr:\n\(String(decoding: stderrData, as: UTF8.self))") }
            if !condition.wait(until: deadline) {
                throw ProcessFailure("no '\(text)' on stderr within \(timeout) s; stderr:\n\(String(decoding: stderrData, as: UTF8.self))")
            }
        }
    }

    /// Waits until stdout holds at least `count` lines.
    func waitForStdoutLines(_ count: Int, timeout: Double = 20) throws {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        defer { condition.unlock() }
        while stdoutData.reduce(0, { $0 + ($1 == 0x0A ? 1 : 0) }) < count {
            if exited || !condition.wait(until: deadline) {
                throw ProcessFailure("fewer than \(count) lines on stdout; stderr:\n\(String(decoding: stderrData, as: UTF8.self))")
            }
        }
    }

    /// Waits for the process to exit; returns its status. Kills it and fails after `timeout`.
    @discardableResult
    func waitForExit(timeout: Double = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        condition.lock()
        while !exited {
            if !condition.wait(until: deadline) {
                condition.unlock()
                process.terminate()
                throw ProcessFailure("\(process.executableURL!.lastPathComponent) \(arguments) still running after \(timeout) s; stderr:\n\(stderr)")
            }
        }
        condition.unlock()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits until the unread standard output pipe holds at least `bytes`.
    func waitForUnreadStdout(_ bytes: Int, timeout: Double = 20) throws {
        guard let unreadStdout else { throw ProcessFailure("stdout is read: started without stdoutUnread") }
        let deadline = Date().addingTimeInterval(timeout)
        var held: Int32 = 0
        while ioctl(unreadStdout.fileHandleForReading.fileDescriptor, UInt(FIONREAD), &held) == 0, held < bytes {
            if Date() > deadline { throw ProcessFailure("stdout pipe holds \(held) bytes after \(timeout) s, not \(bytes); stderr:\n\(stderr)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// The counters a stopped daemon logs (`stopped: session S, published P, recorded R, ...` for
    /// a server, `stopped: forwarded F, recorded R, ...` for a relay), by name.
    func stopSummary() throws -> [String: Int] {
        let line = try waitForStderrLine(containing: "stopped: ")
        let summary = line[line.range(of: "stopped: ")!.upperBound...]
        var counters: [String: Int] = [:]
        for part in summary.split(separator: ",") {
            let words = part.split(separator: " ")
            if words.count == 2, let value = Int(words[1]) { counters[String(words[0])] = value }
        }
        return counters
    }

    /// SIGTERM, then a clean exit (status 0) within `seconds`, as the daemons promise. Returns
    /// how long the exit took.
    @discardableResult
    func expectCleanStop(within seconds: Double = 2, sourceLocation: SourceLocation = #_sourceLocation) throws -> Double {
        signal(SIGTERM)
        let started = Date()
        let status = try waitForExit(timeout: seconds + 3)
        let elapsed = Date().timeIntervalSince(started)
        let name = process.executableURL?.lastPathComponent ?? "process"
        #expect(status == 0, "\(name) \(arguments) exit status \(status); stderr:\n\(stderr)", sourceLocation: sourceLocation)
        #expect(elapsed < seconds, "\(name) \(arguments) took \(elapsed) s to stop", sourceLocation: sourceLocation)
        return elapsed
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// A child process did not do what the test waited for.
struct ProcessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
