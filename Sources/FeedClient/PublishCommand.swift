import ArgumentParser
import FeedClientKit
import FeedModel
import Foundation
import ZeroMQ

/// `feed-client publish`: push quotes and trades from CSV or NDJSON into a feed-server.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Push quotes and trades from a CSV or NDJSON file (or stdin) to a feed-server.",
        discussion: """
            Fields: topic, type (quote|trade, optional), bid, bid_size, ask, ask_size (quotes), \
            price, size, side (trades: buy|sell|unknown), event_time (optional, ISO 8601). CSV needs a \
            header row. A bad line is reported with its number and skipped (exit status 65 at the end); \
            --strict stops at the first one.
            Example: printf 'topic,bid,bid_size,ask,ask_size\\nNASDAQ.AAPL,182.35,300,182.36,500\\n' | feed-client publish -
            """
    )

    @Argument(help: "Input file, or - for standard input.")
    var file = "-"

    @Option(help: "Ingest endpoint of the feed-server.")
    var to = "tcp://127.0.0.1:5557"

    @Option(help: "Input format: auto, csv, ndjson.")
    var format: InputRecordParser.Format = .auto

    @Flag(help: "Stop at the first bad line instead of skipping it.")
    var strict = false

    @Option(help: "Give up if the server cannot be reached within this many milliseconds.")
    var connectTimeoutMs = 5000

    @Option(help: "Wait up to this many milliseconds for queued messages to leave at the end.")
    var flushTimeoutMs = 10_000

    func validate() throws {
        if file != "-" && !FileManager.default.isReadableFile(atPath: file) {
            throw ValidationError("cannot read input file '\(file)'")
        }
        if connectTimeoutMs < 0 || flushTimeoutMs < 0 { throw ValidationError("timeouts must not be negative") }
    }

    func run() throws {
        let summary: (sent: Int, rejected: Int)
        do {
            summary = try publish()
        } catch {
            throw ClientFailure.exit(error)
        }
        ClientFailure.writeError("published \(summary.sent) messages, rejected \(summary.rejected) lines")
        if summary.rejected > 0 { throw ExitCode(65) }
    }

    private func publish() throws -> (sent: Int, rejected: Int) {
        let context = try ZMQContext()
        let producer = try FeedProducer(context: context, endpoint: to)
        try producer.connect(timeoutMilliseconds: connectTimeoutMs)
        var parser = InputRecordParser(format: format)
        var rejected = 0
        let input = file == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        var lineNumber = 0
        try LineReader(input).forEachLine { line in
            lineNumber += 1
            do {
                if let message = try parser.parse(line: line) { try producer.send(message) }
            } catch let error as InputError {
                rejected += 1
                ClientFailure.writeError("line \(lineNumber): \(error)")
                if strict { throw ClientError(.badData, "stopped at line \(lineNumber) (--strict); \(producer.sent) sent before it") }
            }
        }
        try producer.close(flushTimeoutMilliseconds: flushTimeoutMs)
        return (producer.sent, rejected)
    }
}

/// Reads a file handle line by line without loading it whole.
struct LineReader {
    private let handle: FileHandle

    init(_ handle: FileHandle) { self.handle = handle }

    func forEachLine(_ body: (Substring) throws -> Void) throws {
        var pending: [UInt8] = []
        while let chunk = try handle.read(upToCount: 1 << 16), !chunk.isEmpty {
            pending.append(contentsOf: chunk)
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                try body(Substring(decoding: pending[start..<newline], as: UTF8.self))
                start = newline + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try body(Substring(decoding: pending, as: UTF8.self)) }
    }
}
