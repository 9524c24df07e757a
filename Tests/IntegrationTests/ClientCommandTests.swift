import FeedHistory
import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// feed-client's publish, history and status as a user runs them: argument checks, what
/// publish promises about delivery, and the options of the query commands.
@Suite(.serialized)
struct ClientCommandTests {
    static let usageErrors: [(arguments: [String], reason: String)] = [
        (["publish", "/tmp"], "cannot read input file '/tmp'"),
        (["publish", "--to", "http://127.0.0.1:5557"], "--to http://127.0.0.1:5557: expected tcp://HOST:PORT, ipc://PATH"),
        (["publish", "--to", ""], "--to: empty endpoint"),
        (["publish", "--to", "tcp://127.0.0.1:99999"], "port must be 1-65535"),
        (["publish", "--to", "epgm://eth0;239.192.7.1:5601"], "--to epgm://eth0;239.192.7.1:5601: expected tcp://HOST:PORT"),
        (["publish", "--to", "inproc://feed-ingest"], "expected tcp://HOST:PORT, ipc://PATH"),
        (["publish", "--connect-timeout-ms", "10000000000000"], "--connect-timeout-ms must be 0-86400000"),
        (["publish", "--connect-timeout-ms", "-1"], "--connect-timeout-ms must be 0-86400000"),
        (["publish", "--flush-timeout-ms", "0"], "--flush-timeout-ms must be 1-86400000"),
        (["history", "--server", "http://x"], "--server http://x: expected tcp://HOST:PORT"),
        (["history", "--server", ""], "--server: empty endpoint"),
        (["history", "--server", "tcp://127.0.0.1:99999"], "port must be 1-65535"),
        (["history", "--db", ""], "--db: empty path"),
        (["history", "--limit", "-3"], "--limit must be positive"),
        (["history", "--from-seq", "-5"], "'-5' is invalid for '--from-seq"),
        (["history", "--session", "-1"], "'-1' is invalid for '--session"),
        (["history", "--since", "-5 minutes"], "--since"),
        (["history", "--timeout-ms", "0"], "--timeout-ms must be 1-86400000"),
        (["history", "--timeout-ms", "10000000000000"], "--timeout-ms must be 1-86400000"),
        (["status", "--server", ""], "--server: empty endpoint"),
        (["status", "--server", "tcp://127.0.0.1"], "--server tcp://127.0.0.1: expected tcp://HOST:PORT"),
        (["status", "--timeout-ms", "-5"], "--timeout-ms must be 1-86400000"),
        (["snapshot", "--server", "http://x"], "--server http://x"),
        (["snapshot", "--db", ""], "--db: empty path"),
        (["subscribe", "--from", "inproc://feed"], "--from inproc://feed: expected tcp://HOST:PORT, ipc://PATH, epgm://"),
        (["subscribe", "--from", "tcp://127.0.0.1"], "--from tcp://127.0.0.1: expected tcp://HOST:PORT"),
        (["subscribe", "--replay", "tcp://*:5558"], "--replay tcp://*:5558: host * is for binding"),
        (["subscribe", "--silence-timeout-ms", "-1"], "--silence-timeout-ms must be 0-86400000"),
        (["subscribe", "--connect-timeout-ms", "10000000000000"], "--connect-timeout-ms must be 0-86400000"),
        (["subscribe", "--duration", "0"], "--duration must be positive"),
        (["subscribe", "--from", "tcp://127.0.0.1:5556", "--from", "tcp://127.0.0.1:5556"], "--from tcp://127.0.0.1:5556 is given twice"),
        (["subscribe", "--arbitration-ms", "-1"], "--arbitration-ms must be 0-86400000"),
        (["subscribe", "--line-silence-ms", "0"], "--line-silence-ms must be 1-86400000"),
        (["subscribe", "--count", "0"], "--count must be positive"),
        (["subscribe", "--prefixes-from", ""], "--prefixes-from: empty path"),
        (["subscribe", "NASDAQ.", "nyse."], "subscription prefix 'nyse.' cannot start any VENUE.SYMBOL topic"),
        (["history", "--prefixes-from", "/nonexistent/watchlist.txt"], "--prefixes-from: cannot read /nonexistent/watchlist.txt"),
        (["snapshot", "--prefixes-from", "/tmp"], "--prefixes-from: /tmp is a folder, not a file of prefixes"),
    ]

    @Test(arguments: usageErrors.indices)
    func badArgumentsExit64WithOneLineReason(index: Int) throws {
        let (arguments, reason) = Self.usageErrors[index]
        let process = try ChildProcess(Binaries.client, arguments)
        #expect(try process.waitForExit() == 64, "\(arguments): \(process.stderr)")
        #expect(process.stderr.split(separator: "\n").count == 1, "\(arguments): expected one line, got:\n\(process.stderr)")
        #expect(process.stderr.contains(reason), "\(arguments): reason missing from: \(process.stderr)")
    }

    /// A bad line of a watchlist is a usage error naming the file and the line, before any
    /// server is asked (none runs here), and so is a watchlist that lists nothing.
    @Test(arguments: ["subscribe", "history", "snapshot"])
    func badWatchlistsExit64NamingFileAndLine(command: String) throws {
        let folder = try TemporaryFolder()
        try folder.write("# watchlist\nNASDAQ.AAPL\n\nNYSE.BRK.B\nnot a prefix\nLSE.\n", to: "bad.txt")
        try folder.write("# nothing yet\n\n", to: "empty.txt")
        let cases: [(arguments: [String], stdin: String?, reason: String)] = [
            (["--prefixes-from", folder.path("bad.txt")], nil, "--prefixes-from \(folder.path("bad.txt")) line 5: "),
            (["NYSE.", "--prefixes-from", "-"], "NASDAQ.\nbad/\n", "--prefixes-from stdin line 2: subscription prefix 'bad/'"),
            (["--prefixes-from", folder.path("empty.txt")], nil, "--prefixes-from \(folder.path("empty.txt")): no prefix in it"),
        ]
        let unreachable = command == "subscribe" ? ["--from", "tcp://127.0.0.1:1"] : ["--server", "tcp://127.0.0.1:1"]
        for (arguments, stdin, reason) in cases {
            let process = try ChildProcess(Binaries.client, [command] + arguments + unreachable, stdin: stdin.map { .bytes(Data($0.utf8)) } ?? .open)
            #expect(try process.waitForExit() == 64, "\(arguments): \(process.stderr)")
            #expect(process.stderr.split(separator: "\n").count == 1, "\(arguments): expected one line, got:\n\(process.stderr)")
            #expect(process.stderr.contains(reason), "\(arguments): reason missing from: \(process.stderr)")
        }
    }

    @Test func publishReportsPossibleLossWhenTheServerVanishesMidway() throws {
        let server = try ServerFixture()
        let fifo = server.folder.path("input")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opened for reading and writing, so this open never waits for publish to open its end.
        let input = FileHandle(fileDescriptor: open(fifo, O_RDWR), closeOnDealloc: true)
        let publisher = try ChildProcess(Binaries.client, ["publish", fifo, "--to", server.ingest, "--connect-timeout-ms", "1000", "--flush-timeout-ms", "1000"])
        input.write(Data("topic,price,size,side\nGONE.A,1,1,buy\n".utf8))
        try server.waitForStatus("published", atLeast: 1)
        try server.stop()
        input.write(Data("GONE.B,1,1,buy\nGONE.C,1,1,buy\n".utf8))
        try input.close()

        #expect(try publisher.waitForExit() == 69, "\(publisher.stderr)")
        // Which one depends on when libzmq notices the disconnect: before GONE.B is queued, the
        // send finds no connection; after, the lost connection had a message queued on it.
        let lost = publisher.stderr.contains("lost the connection to \(server.ingest)")
        let refused = publisher.stderr.contains("\(server.ingest) took no message")
        #expect(lost || refused, "\(publisher.stderr)")
        #expect(!publisher.stderr.contains("published"), "\(publisher.stderr)")
    }

    @Test func publishToAnEndpointThatIsNotAnIngestFailsAtOnce() throws {
        let server = try ServerFixture()
        for endpoint in [server.publish, server.replay] {
            let started = Date()
            let publisher = try server.client(
                ["publish", "--to", endpoint, "-"], stdin: .bytes(Data("topic,price,size,side\nWRONG.PORT,1,1,buy\n".utf8)))
            #expect(publisher.exitStatus == 69, "\(endpoint): \(publisher.stderr)")
            #expect(publisher.stderr.contains("\(endpoint) closed the connection during the ZeroMQ handshake"), "\(publisher.stderr)")
            #expect(Date().timeIntervalSince(started) < 4, "waited for the connect timeout instead of failing at once")
        }
        try server.stop()
        #expect(try HistoryStore(path: server.databasePath, readOnly: true).messageCount() == 0)
    }

    @Test func aBadCSVHeaderStopsPublishingAtItsFirstLine() throws {
        let context = try ZMQContext()
        let sink = try ZMQSocket(context, .pull)
        try sink.set(.linger, 0)
        try sink.bind("tcp://127.0.0.1:*")
        let endpoint = try sink.get(.lastEndpoint)
        let input = "tpoic,price,size,side\n" + String(repeating: "NYSE.IBM,1,1,buy\n", count: 5)
        let publisher = try ChildProcess(Binaries.client, ["publish", "--to", endpoint, "-"], stdin: .bytes(Data(input.utf8)))
        #expect(try publisher.waitForExit() == 65, "\(publisher.stderr)")
        let lines = publisher.stderr.split(separator: "\n")
        #expect(lines.count == 2, "one error for the header and the stop, nothing per line:\n\(publisher.stderr)")
        #expect(lines.first?.contains("line 1: CSV header: unknown column 'tpoic'; no 'topic' column") == true, "\(publisher.stderr)")
        #expect(lines.last?.contains("stopped at line 1") == true && lines.last?.contains("0 messages sent") == true, "\(publisher.stderr)")
    }

    @Test func queryCommandsGiveUpAfterTheirTimeout() throws {
        // Port 1 on loopback: nothing listens there; the default timeout would be 5 s.
        for arguments in [["status"], ["history", "NASDAQ."], ["snapshot", "NASDAQ."]] {
            let started = Date()
            let client = try ChildProcess(Binaries.client, arguments + ["--server", "tcp://127.0.0.1:1", "--timeout-ms", "300"])
            #expect(try client.waitForExit() == 69, "\(arguments): \(client.stderr)")
            #expect(client.stderr.contains("within 300 ms"), "\(arguments): \(client.stderr)")
            #expect(Date().timeIntervalSince(started) < 3, "\(arguments) ignored --timeout-ms")
        }
    }

    @Test func relativeTimesNeedNoEqualsSign() throws {
        let server = try ServerFixture()
        let input = "topic,price,size,side\nNYSE.IBM,1,1,buy\nNYSE.IBM,2,1,sell\n"
        let publisher = try server.client(["publish", "--to", server.ingest, "-"], stdin: .bytes(Data(input.utf8)))
        #expect(publisher.exitStatus == 0, "\(publisher.stderr)")
        try server.waitForStatus("recorded", atLeast: 2)
        let recent = try server.client(["history", "NYSE.", "--since", "-5m", "--server", server.replay, "--count-only"])
        #expect(recent.stdout == "2\n", "\(recent.stderr)")
        let none = try server.client(["history", "NYSE.", "--until", "-5m", "--server", server.replay, "--count-only"])
        #expect(none.stdout == "0\n", "\(none.stderr)")
        try server.stop()
    }

    /// Each example in the help of a command is a whole line that can be copied: never wrapped
    /// in the middle of a command.
    @Test(arguments: ["publish", "history", "subscribe", "snapshot"])
    func helpExamplesAreWholeLines(command: String) throws {
        let help = try ChildProcess(Binaries.client, [command, "--help"])
        #expect(try help.waitForExit() == 0)
        let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let heading = try #require(lines.firstIndex(of: "Examples:"), "no Examples: in\n\(help.stdout)")
        let examples = lines[(heading + 1)...].prefix { !$0.isEmpty }
        #expect(examples.count >= 2)
        for example in examples {
            #expect(example.hasPrefix("  ") && example.contains("feed-client \(command) "), "wrapped example line: \(example)")
        }
        let elsewhere = lines.indices.filter { index in
            lines[index].contains("feed-client ") && !lines[index].hasPrefix("USAGE:") && !examples.indices.contains(index)
        }
        #expect(elsewhere.isEmpty, "commands outside the Examples: block: \(elsewhere.map { lines[$0] })")
    }
}
