import ChildProcesses
import Foundation
import Testing
import ZeroMQ

/// `feed-client publish` reading its input: lines up to 64 KiB, in time and memory that do not
/// depend on how long a line is (a 64 MiB line without a newline once took 21.5 s and 417 MB).
@Suite(.serialized)
struct PublishInputTests {
    /// Runs `feed-client publish - --to ENDPOINT arguments` on `stdin` under a Python wrapper
    /// that prints the client's peak resident memory (getrusage's ru_maxrss of the waited-for
    /// child) as the last line of stderr: `peak_rss_kb N`.
    static func publish(_ stdin: Data, to endpoint: String, _ arguments: [String] = []) throws -> (
        process: ChildProcess, peakKilobytes: Int
    ) {
        let wrapper = """
            import resource, subprocess, sys
            status = subprocess.run(sys.argv[1:]).returncode
            print('peak_rss_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
            sys.exit(status)
            """
        let process = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/python3"),
            ["-c", wrapper, Binaries.client.path, "publish", "-", "--to", endpoint] + arguments, stdin: .bytes(stdin))
        try process.waitForExit(timeout: 300)
        let line = try #require(process.stderr.split(separator: "\n").last { $0.hasPrefix("peak_rss_kb ") }, "\(process.stderr)")
        return (process, try #require(Int(line.dropFirst("peak_rss_kb ".count))))
    }

    /// A PULL socket on a wildcard loopback port, standing in for a server's ingest.
    static func sink(_ context: ZMQContext) throws -> (socket: ZMQSocket, endpoint: String) {
        let sink = try ZMQSocket(context, .pull)
        try sink.set(.linger, 0)
        try sink.bind("tcp://127.0.0.1:*")
        return (sink, try sink.get(.lastEndpoint))
    }

    /// The topics of the messages `sink` receives, `count` of them, then checks nothing more came.
    static func topics(from sink: ZMQSocket, count: Int) throws -> [String] {
        var topics: [String] = []
        while topics.count < count, try sink.waitReadable(timeoutMilliseconds: 10_000) {
            let frames = try #require(try sink.receiveFrames())
            topics.append(String(decoding: frames[0], as: UTF8.self))
        }
        #expect(try !sink.waitReadable(timeoutMilliseconds: 200), "more messages than \(count)")
        return topics
    }

    /// A valid CSV trade line of exactly `length` bytes: spaces pad its last cell.
    static func trade(_ topic: String, length: Int) -> String {
        let line = "\(topic),1,1,buy"
        return line + String(repeating: " ", count: length - line.utf8.count)
    }

    @Test func linesOverTheLimitAreRejectedInTheirPlaceWithMemoryBounded() throws {
        let limit = 65_536
        let context = try ZMQContext()
        let (sink, endpoint) = try Self.sink(context)
        var input = Data("topic,price,size,side\nNYSE.A,1,1,buy\n".utf8)  // Lines 1 and 2.
        input += Data((Self.trade("NYSE.B", length: limit) + "\r\n").utf8)  // 3: exactly the limit, CR LF.
        input += Data((Self.trade("NYSE.X", length: limit + 1) + "\n").utf8)  // 4: one byte over.
        input += Data("NYSE.C,1,1,buy\r\n".utf8)  // 5
        input += Data(repeating: UInt8(ascii: "x"), count: 64 << 20)  // 6: 64 MiB, no newline: the last line.
        let (publisher, peak) = try Self.publish(input, to: endpoint)

        #expect(publisher.exitStatus == 65, "\(publisher.stderr)")
        let errors = publisher.stderr.split(separator: "\n").filter { $0.contains("line ") }
        #expect(errors == [
            "feed-client: line 4: too long: more than 65536 bytes", "feed-client: line 6: too long: more than 65536 bytes",
        ], "\(publisher.stderr)")
        #expect(publisher.stderr.contains("published 3 messages, rejected 2 lines"), "\(publisher.stderr)")
        #expect(try Self.topics(from: sink, count: 3) == ["NYSE.A", "NYSE.B", "NYSE.C"])
        // Buffering the line would take 64 MiB and more; a bounded reader keeps 64 KiB of it.
        #expect(peak < 64 * 1024, "feed-client peaked at \(peak) kB reading a 64 MiB line")
    }

    @Test func aLineOverTheLimitStopsAStrictPublish() throws {
        let context = try ZMQContext()
        let (sink, endpoint) = try Self.sink(context)
        let input = "topic,price,size,side\nNYSE.A,1,1,buy\n" + String(repeating: "y", count: 100_000) + "\nNYSE.C,1,1,buy\n"
        let (publisher, _) = try Self.publish(Data(input.utf8), to: endpoint, ["--strict"])
        #expect(publisher.exitStatus == 65, "\(publisher.stderr)")
        #expect(publisher.stderr.contains("line 3: too long: more than 65536 bytes"), "\(publisher.stderr)")
        #expect(publisher.stderr.contains("stopped at line 3 (--strict); 1 messages sent before it"), "\(publisher.stderr)")
        #expect(try Self.topics(from: sink, count: 1) == ["NYSE.A"])
    }
}
