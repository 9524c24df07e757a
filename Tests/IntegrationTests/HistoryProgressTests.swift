import ChildProcesses
import Foundation
import Testing

/// `feed-client history` written to a file shows progress on stderr only when stderr is a
/// terminal: under a pseudo-terminal (Python's pty) the line appears, with stderr a pipe nothing does.
@Suite(.serialized)
struct HistoryProgressTests {
    /// Runs `command` with stdout to `output` and stderr on a pseudo-terminal; returns the exit
    /// status and what the terminal received.
    static func underTerminal(_ command: [String], output: String) throws -> (status: Int32, terminal: String) {
        let script = """
            import os, pty, subprocess, sys
            master, slave = pty.openpty()
            with open(sys.argv[1], 'wb') as out:
                child = subprocess.Popen(sys.argv[2:], stdout=out, stderr=slave, stdin=subprocess.DEVNULL)
            os.close(slave)
            data = b''
            while True:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                data += chunk
            sys.stdout.buffer.write(data)
            sys.exit(child.wait())
            """
        let python = try ChildProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, output] + command)
        let status = try python.waitForExit(timeout: 60)
        return (status, python.stdout)
    }

    @Test func progressAppearsOnATerminalAndNothingOnAPipe() throws {
        let server = try ServerFixture()
        try server.publishRecordedSample(count: 3000)
        try server.stop()
        let query = ["history", "--db", server.databasePath, "--since", "-1d", "--format", "csv"]

        let toFile = server.folder.path("terminal.csv")
        let (status, terminal) = try Self.underTerminal([Binaries.client.path] + query, output: toFile)
        #expect(status == 0, "\(terminal)")
        #expect(terminal.contains("\rhistory: 3000 messages, "), "\(terminal.debugDescription)")
        // --since -1d to now: the messages, published in the last seconds, are at 99-100% of that range.
        #expect(terminal.range(of: #"msg/s, (99|100)% of the range, 0 s left"#, options: .regularExpression) != nil, "\(terminal.debugDescription)")
        #expect(terminal.contains("\rhistory: 3000 messages in "), "\(terminal.debugDescription)")

        let piped = try ChildProcess(Binaries.client, query)
        #expect(try piped.waitForExit() == 0)
        #expect(piped.stderr.isEmpty, "\(piped.stderr.debugDescription)")
        // The same output either way: progress never goes to stdout.
        #expect(try String(contentsOfFile: toFile, encoding: .utf8) == piped.stdout)
        #expect(piped.stdout.split(separator: "\n").count == 3001)  // header and 3000 rows
    }
}
