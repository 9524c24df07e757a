import ArgumentParser
import CommandLineSupport
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
            header row naming the fields; a bad header stops at once. A bad line (also one over 64 KiB) \
            is reported with its number and skipped (exit status 65 at the end); --strict stops at the first one. Exit \
            status 69: the server could not be reached, or the connection was lost or did not take \
            every message within --flush-timeout-ms, so some messages may be missing from the feed.

            Examples:
              feed-client publish quotes.csv --to tcp://127.0.0.1:5557
              echo '{"topic":"NYSE.IBM","price":222.05,"size":100}' | feed-client publish -
            """
    )

    @Argument(help: "Input file, or - for standard input.")
    var file = "-"

    @OptionGroup var curve: CurveClientOptions

    @Option(help: "Ingest endpoint of the feed-server: tcp:// or ipc://.")
    var to = "tcp://127.0.0.1:5557"

    @Option(help: "Input format: auto, csv, ndjson.")
    var format: InputRecordParser.Format = .auto

    @Flag(help: "Stop at the first bad line instead of skipping it.")
    var strict = false

    @Option(parsing: .unconditional, help: "Give up if the server cannot be reached, or takes no message, for this many milliseconds.")
    var connectTimeoutMs = 5000

    @Option(parsing: .unconditional, help: "Wait up to this many milliseconds for queued messages to leave at the end.")
    var flushTimeoutMs = 10_000

    func validate() throws {
        if file != "-" {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue,
                FileManager.default.isReadableFile(atPath: file)
            else { throw ValidationError("cannot read input file '\(file)'") }
        }
        try EndpointArgument.check(to, option: "--to", role: .connect, transports: serverTransports)
        try TimeoutArgument.check(connectTimeoutMs, option: "--connect-timeout-ms", minimum: 0)
        try TimeoutArgument.check(flushTimeoutMs, option: "--flush-timeout-ms")
    }

    func run() throws {
        let summary: (sent: Int, rejected: Int)
        do {
            summary = try publish()
        } catch {
            throw ClientFailure.exit(error)
        }
        ClientFailure.writeError("published \(summary.sent) messages, rejected \(summary.rejected) lines")
        if summary.rejected > 0 { throw ExitStatus.dataError.exitCode }
    }

    /// Sends every good line, then waits until the server took them all. Stopping early for bad
    /// input (--strict, a bad CSV header) still flushes what was sent before reporting it.
    private func publish() throws -> (sent: Int, rejected: Int) {
        let context = try ZMQContext()
        let producer = try FeedProducer(
            context: context, endpoint: to, sendTimeoutMilliseconds: connectTimeoutMs, curve: try curve.security())
        try producer.connect(timeoutMilliseconds: connectTimeoutMs)
        let input = file == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
        var rejected = 0
        var stoppedEarly: ClientError?
        do {
            rejected = try withExtendedLifetime(input) {
                try sendLines(of: LineReader(fileDescriptor: input.fileDescriptor), to: producer)
            }
        } catch let error as ClientError where error.kind == .badData {
            stoppedEarly = error
        }
        try producer.close(flushTimeoutMilliseconds: flushTimeoutMs)
        if let stoppedEarly { throw stoppedEarly }
        return (producer.sent, rejected)
    }

    /// Sends each good line; reports each bad one and returns how many there were. Throws a
    /// `badData` ``ClientError`` when bad input ends reading early.
    private func sendLines(of reader: LineReader, to producer: FeedProducer) throws -> Int {
        var parser = InputRecordParser(format: format)
        var rejected = 0
        var lineNumber = 0
        try reader.forEachLine { line in
            lineNumber += 1
            let message: FeedMessage?
            do throws(InputError) {
                message = try parser.parse(line: line.get())
            } catch {
                rejected += 1
                ClientFailure.writeError("line \(lineNumber): \(error)")
                if error.isFatal || strict {
                    let reason = error.isFatal ? "nothing after it can be read" : "--strict"
                    throw ClientError(.badData, "stopped at line \(lineNumber) (\(reason)); \(producer.sent) messages sent before it")
                }
                return
            }
            guard let message else { return }
            do {
                try producer.send(message)
            } catch let error as ClientError {
                throw ClientError(error.kind, "\(error); stopped at input line \(lineNumber)")
            }
        }
        return rejected
    }
}
