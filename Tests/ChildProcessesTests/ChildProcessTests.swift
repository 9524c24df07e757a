import ChildProcesses
import Foundation
import Testing

/// The harness with real programs (/bin/sh, /bin/cat, /bin/sleep): exits, output, waits, failures.
@Suite struct ChildProcessTests {
    static let shell = URL(fileURLWithPath: "/bin/sh")

    /// `/bin/sh -c script`.
    static func sh(_ script: String, stdout: ChildProcess.Output = .captured) throws -> ChildProcess {
        try ChildProcess(shell, ["-c", script], stdout: stdout)
    }

    @Test func reportsTheExitStatus() throws {
        let child = try Self.sh("exit 3")
        #expect(try child.waitForExit() == 3)
        #expect(child.exitStatus == 3)
        #expect(!child.isRunning)
    }

    @Test func exitStatusIsNilWhileRunning() throws {
        let child = try Self.sh("echo started >&2; exec sleep 30")
        // A signal sent before the program runs may be lost: wait for a sign of life first.
        try child.waitForStderrLine(containing: "started")
        #expect(child.exitStatus == nil)
        #expect(child.isRunning)
        child.signal(SIGTERM)
        #expect(try child.waitForExit() == SIGTERM)
    }

    @Test func outputWrittenRightBeforeTheExitIsAllThere() throws {
        // A megabyte on stdout and a last line on stderr, then the exit at once; twenty times.
        for _ in 0..<20 {
            let child = try Self.sh("head -c 1000000 /dev/zero | tr '\\0' x; echo last words >&2")
            #expect(try child.waitForExit() == 0)
            #expect(child.stdout.utf8.count == 1_000_000)
            #expect(child.stderr == "last words\n")
        }
    }

    @Test func waitsForAStderrLine() throws {
        let child = try Self.sh("echo starting >&2; sleep 0.2; echo 'ready port=5' >&2; exec sleep 30")
        #expect(try child.waitForStderrLine(containing: "ready") == "ready port=5")
        #expect(child.isRunning)
    }

    @Test func aStderrLineThatNeverComesFailsWithTheProgramsOwnWords() throws {
        let child = try Self.sh("echo 'bad config: no such file' >&2; exit 2")
        let failure = try #require(throws: ChildProcessFailure.self) { try child.waitForStderrLine(containing: "ready") }
        #expect(failure.problem.contains("exited (status 2) before printing 'ready'"), "\(failure)")
        #expect(failure.description.contains("bad config: no such file"), "\(failure)")
    }

    @Test func aStderrLineWaitEndsAtItsTimeout() throws {
        let child = try Self.sh("echo 'still loading' >&2; exec sleep 30")
        let failure = try #require(throws: ChildProcessFailure.self) {
            try child.waitForStderrLine(containing: "ready", timeout: 0.3)
        }
        #expect(failure.problem.contains("no 'ready' on stderr within 0.3 s"), "\(failure)")
        #expect(failure.stderrTail.contains("still loading"), "\(failure)")
    }

    @Test func aLastStderrLineWithoutNewlineCountsOnceTheProgramExits() throws {
        let child = try Self.sh("printf 'done, no newline' >&2")
        #expect(try child.waitForStderrLine(containing: "done") == "done, no newline")
    }

    @Test func timeoutKillsTheChild() throws {
        let child = try ChildProcess(URL(fileURLWithPath: "/bin/sleep"), ["60"])
        let failure = try #require(throws: ChildProcessFailure.self) { try child.waitForExit(timeout: 0.3) }
        #expect(failure.problem.contains("still running after 0.3 s"), "\(failure)")
        #expect(try child.waitForExit(timeout: 10) == SIGKILL)
    }

    @Test func waitsForStdoutLines() throws {
        let child = try Self.sh("for i in 1 2 3; do echo $i; done; exec sleep 30")
        try child.waitForStdoutLines(3)
        #expect(child.stdout == "1\n2\n3\n")
        #expect(throws: ChildProcessFailure.self) { try child.waitForStdoutLines(4, timeout: 0.3) }
    }

    @Test func unreadStdoutFillsAndBlocksTheWriter() throws {
        let child = try Self.sh("head -c 1000000 /dev/zero; echo wrote it all >&2", stdout: .unread)
        try child.waitForUnreadStdout(64 << 10)
        #expect(child.isRunning)
        #expect(child.stdout.isEmpty)
        #expect(throws: ChildProcessFailure.self) { try child.waitForStderrLine(containing: "wrote it all", timeout: 0.3) }
    }

    @Test func stdoutToAFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(getpid())-\(UUID()).out")
        defer { try? FileManager.default.removeItem(at: file) }
        let child = try Self.sh("echo one; echo two", stdout: .file(file))
        #expect(try child.waitForExit() == 0)
        #expect(child.stdout == "one\ntwo\n")
        #expect(try String(contentsOf: file, encoding: .utf8) == "one\ntwo\n")
    }

    @Test func standardInput() throws {
        let cat = URL(fileURLWithPath: "/bin/cat")
        let given = try ChildProcess(cat, [], stdin: .bytes(Data("hello\n".utf8)))
        #expect(try given.waitForExit() == 0)
        #expect(given.stdout == "hello\n")
        let empty = try ChildProcess(cat, [], stdin: .empty)
        #expect(try empty.waitForExit() == 0)
        #expect(empty.stdout.isEmpty)
        // An open input never ends: cat keeps waiting for it.
        let open = try ChildProcess(cat, [], stdin: .open)
        #expect(throws: ChildProcessFailure.self) { try open.waitForExit(timeout: 0.3) }
    }

    @Test func parsesAStopSummary() throws {
        let child = try Self.sh("echo 'info: stopped: session 7, published 10, recorded 9' >&2")
        #expect(try child.stopSummary() == ["session": 7, "published": 10, "recorded": 9])
    }

    @Test func readsCPUTimeAndMemory() throws {
        let busy = try Self.sh("i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done")
        let memory = try #require(busy.memory)
        #expect(memory.resident > 0 && memory.peak >= memory.resident)
        #expect(try busy.waitForExit(samplingCPU: true) == 0)
        #expect(busy.lastCPUSeconds > 0)
        #expect(busy.cpuSeconds == nil && busy.memory == nil)
    }

    @Test func theChildIsKilledWhenItsOwnerGoesAway() throws {
        var child: ChildProcess? = try ChildProcess(URL(fileURLWithPath: "/bin/sleep"), ["60"])
        let pid = try #require(child?.processIdentifier)
        child = nil
        // Killed: a zombie until reaped, then gone.
        let deadline = Date().addingTimeInterval(10)
        func alive() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return !stat.contains(") Z ")
        }
        while alive() && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(!alive())
    }

    @Test func labelsNameTheProgram() throws {
        let child = try Self.sh("exit 0")
        #expect(child.label == "sh -c exit 0")
        let named = try ChildProcess(Self.shell, ["-c", "exit 0"], label: "quiet")
        #expect(named.failure("it failed").description == "quiet: it failed")
    }
}
