import Foundation

/// A program run as a child process (feed-server, feed-client, a C baseline, python3) by the
/// tests and the benchmarks, with its output kept and every wait bounded.
///
/// Every wait is on something the program does (a line on stderr, lines on stdout, its exit) and
/// ends with a ``ChildProcessFailure`` (the program's own last words in it) when the program
/// does not do it in time. Its exit is signalled, never polled, and reported only once both of
/// its output pipes are drained, so output written right before the exit is all there. The
/// child is killed when this object goes away, so a failure leaves nothing running. Safe to use
/// from several threads.
///
/// Built on Foundation's `Process`. swift-subprocess 1.0.2 was tried first: under parallel
/// tests it never reported the exit of 2 to 4 of about 60 children (cf. swiftlang/swift-subprocess
/// issue #271 and PR #275, a burst of concurrent exits on Linux).
public final class ChildProcess: @unchecked Sendable {  // Mutable state is guarded by `state`.
    /// What the child reads on standard input.
    public enum Input: Sendable {
        /// A pipe held open and never written: a read blocks until the child ends.
        case open
        /// These bytes, then end of file.
        case bytes(Data)
        /// `/dev/null`: end of file at once.
        case empty
    }

    /// Where the child's standard output goes.
    public enum Output: Sendable {
        /// Into memory as it comes: ``stdout``, ``waitForStdoutLines(_:timeout:)``.
        case captured
        /// Into a pipe nobody reads: once it is full, every write blocks, as for a stalled
        /// reader (``waitForUnreadStdout(_:timeout:)``).
        case unread
        /// Into a file (created or emptied first), for output too large to hold in memory;
        /// ``stdout`` reads it.
        case file(URL)
    }

    /// Names the program in failure messages: given, or its name and arguments.
    public let label: String
    let process = Process()
    let output: Output
    /// Guards the fields below and is broadcast when any of them changes.
    let state = NSCondition()
    var stdoutBuffer = OutputBuffer(keepingLines: false)
    var stderrBuffer = OutputBuffer(keepingLines: true)
    /// Set once the process has exited and its output pipes are drained.
    var exited = false
    var sampledCPUSeconds = 0.0
    /// The write end of standard input, held open for ``Input/open``.
    private let heldStdin: Pipe?
    /// The read end of standard output for ``Output/unread``.
    let unreadStdout: Pipe?

    /// Starts `executable` with `arguments`; inside network namespace `namespace` when given,
    /// through `ip netns exec` (which keeps the process id). Its stderr is always captured.
    public init(
        _ executable: URL, _ arguments: [String], label: String? = nil, stdin: Input = .open, stdout: Output = .captured,
        namespace: String? = nil
    ) throws {
        self.label = label ?? Self.label(executable, arguments)
        output = stdout
        if let namespace {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        let stdinPipe = Pipe()
        switch stdin {
        case .open, .bytes: process.standardInput = stdinPipe
        case .empty: process.standardInput = FileHandle.nullDevice
        }
        heldStdin = if case .open = stdin { stdinPipe } else { nil }
        let stderrPipe = Pipe()
        process.standardError = stderrPipe
        var readPipes = [(stderrPipe, false)]
        switch stdout {
        case .captured:
            let pipe = Pipe()
            process.standardOutput = pipe
            readPipes.append((pipe, true))
            unreadStdout = nil
        case .unread:
            let pipe = Pipe()
            process.standardOutput = pipe
            unreadStdout = pipe
        case .file(let url):
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw ChildProcessFailure(label: self.label, problem: "cannot create \(url.path)", stderr: "")
            }
            process.standardOutput = try FileHandle(forWritingTo: url)
            unreadStdout = nil
        }
        let readers = DispatchGroup()
        for _ in readPipes { readers.enter() }
        process.terminationHandler = { [weak self] _ in
            readers.notify(queue: .global()) { self?.reportExit() }
        }
        do {
            try runWithSignalsUnblocked()
        } catch {
            throw ChildProcessFailure(label: self.label, problem: "cannot start \(executable.path): \(error)", stderr: "")
        }
        startReaders(readPipes, readers)
        if case .bytes(let data) = stdin {
            stdinPipe.fileHandleForWriting.write(data)
            try stdinPipe.fileHandleForWriting.close()
        }
    }

    /// Starts the process with no signal blocked but SIGCHLD (left as it is, for the exit
    /// monitoring). A child inherits the signal mask of the thread that starts it, and the worker
    /// threads of Dispatch and Swift concurrency (where tests run) block SIGTERM, SIGINT, SIGHUP
    /// and more: a program without handlers of its own would not end on ``signal(_:)``.
    private func runWithSignalsUnblocked() throws {
        var previous = sigset_t()
        var unblocked = sigset_t()
        pthread_sigmask(SIG_SETMASK, nil, &previous)
        sigemptyset(&unblocked)
        if sigismember(&previous, SIGCHLD) == 1 { sigaddset(&unblocked, SIGCHLD) }
        pthread_sigmask(SIG_SETMASK, &unblocked, nil)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        try process.run()
    }

    /// One reader thread per captured pipe, each until end of file, leaving `readers` (entered
    /// once per pipe) when done: the exit is reported only once all of them are, so no late
    /// chunk of output can miss a wait for the exit.
    private func startReaders(_ pipes: [(Pipe, isStdout: Bool)], _ readers: DispatchGroup) {
        for (pipe, isStdout) in pipes {
            Thread.detachNewThread { [weak self] in
                let handle = pipe.fileHandleForReading
                while case let data = handle.availableData, !data.isEmpty {
                    self?.append(data, toStdout: isStdout)
                }
                readers.leave()
            }
        }
    }

    private func append(_ data: Data, toStdout: Bool) {
        state.lock()
        if toStdout { stdoutBuffer.append(data) } else { stderrBuffer.append(data) }
        state.broadcast()
        state.unlock()
    }

    private func reportExit() {
        state.lock()
        stdoutBuffer.finish()
        stderrBuffer.finish()
        exited = true
        state.broadcast()
        state.unlock()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// The process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the process is still running (its output may still be draining once it is not).
    public var isRunning: Bool { process.isRunning }

    /// The exit status once the exit is reported (the signal's number if a signal ended it);
    /// nil before.
    public var exitStatus: Int32? {
        state.lock()
        defer { state.unlock() }
        return exited ? process.terminationStatus : nil
    }

    /// Standard output so far: what was captured, or the file's contents; empty when unread.
    public var stdout: String {
        switch output {
        case .captured:
            state.lock()
            defer { state.unlock() }
            return stdoutBuffer.text
        case .file(let url): return (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        case .unread: return ""
        }
    }

    /// Standard error so far.
    public var stderr: String {
        state.lock()
        defer { state.unlock() }
        return stderrBuffer.text
    }

    /// Sends `signal` to the process, unless it has ended (its id may belong to another by then).
    public func signal(_ signal: Int32) {
        if process.isRunning { kill(process.processIdentifier, signal) }
    }

    /// A failure of this program: `problem`, with the end of its stderr.
    public func failure(_ problem: String) -> ChildProcessFailure {
        ChildProcessFailure(label: label, problem: problem, stderr: stderr)
    }

    /// `name arg1 arg2 ...`, with long arguments (scripts) cut short.
    private static func label(_ executable: URL, _ arguments: [String]) -> String {
        ([executable.lastPathComponent] + arguments.map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 })
            .joined(separator: " ")
    }
}
