import Foundation

extension ChildProcess {
    /// Waits until a line of stderr contains `text`; returns that line (the first such). Fails
    /// if the program exits without printing it, or after `timeout` seconds.
    @discardableResult
    public func waitForStderrLine(containing text: String, timeout: Double = 20) throws -> String {
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.lock()
        defer { state.unlock() }
        var checked = 0
        while true {
            if let line = stderrBuffer.lines[checked...].first(where: { $0.contains(text) }) { return line }
            checked = stderrBuffer.lines.count
            if exited { throw lockedFailure("exited (status \(process.terminationStatus)) before printing '\(text)'") }
            if Date() >= deadline { throw lockedFailure("no '\(text)' on stderr within \(timeout) s") }
            _ = state.wait(until: deadline)
        }
    }

    /// Waits until captured stdout holds at least `count` lines.
    public func waitForStdoutLines(_ count: Int, timeout: Double = 20) throws {
        guard case .captured = output else { throw failure("stdout is not captured") }
        let deadline = Date(timeIntervalSinceNow: timeout)
        state.lock()
        defer { state.unlock() }
        while stdoutBuffer.endedLines < count {
            if exited || Date() >= deadline {
                throw lockedFailure("\(stdoutBuffer.endedLines) of \(count) lines on stdout \(exited ? "when it exited" : "within \(timeout) s")")
            }
            _ = state.wait(until: deadline)
        }
    }

    /// Waits for the process to exit and its output to be drained; returns its exit status.
    /// Kills it (SIGKILL) and fails after `timeout` seconds. With `samplingCPU`, reads its CPU
    /// time every 10 ms meanwhile, so ``lastCPUSeconds`` ends as about what it used in all.
    @discardableResult
    public func waitForExit(timeout: Double = 30, samplingCPU: Bool = false) throws -> Int32 {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            let cpu = samplingCPU ? cpuSeconds : nil
            state.lock()
            if let cpu { sampledCPUSeconds = cpu }
            if exited {
                state.unlock()
                return process.terminationStatus
            }
            let now = Date()
            guard now < deadline else {
                let failure = lockedFailure("still running after \(timeout) s")
                state.unlock()
                kill(process.processIdentifier, SIGKILL)
                throw failure
            }
            _ = state.wait(until: samplingCPU ? min(deadline, now.addingTimeInterval(0.01)) : deadline)
            state.unlock()
        }
    }

    /// The CPU time last sampled by ``waitForExit(timeout:samplingCPU:)``, in seconds.
    public var lastCPUSeconds: Double {
        state.lock()
        defer { state.unlock() }
        return sampledCPUSeconds
    }

    /// Waits until the unread stdout pipe (``Output/unread``) holds at least `bytes`. A pipe
    /// filling up signals nothing, so this looks every 10 ms.
    public func waitForUnreadStdout(_ bytes: Int, timeout: Double = 20) throws {
        guard let unreadStdout else { throw failure("stdout is read: not started with stdout .unread") }
        let deadline = Date(timeIntervalSinceNow: timeout)
        var held: Int32 = 0
        while ioctl(unreadStdout.fileHandleForReading.fileDescriptor, UInt(FIONREAD), &held) == 0, held < bytes {
            if Date() >= deadline { throw failure("stdout pipe holds \(held) bytes after \(timeout) s, not \(bytes)") }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// ``failure(_:)`` for a caller that holds `state`.
    private func lockedFailure(_ problem: String) -> ChildProcessFailure {
        ChildProcessFailure(label: label, problem: problem, stderr: stderrBuffer.text)
    }
}
