import ArgumentParser
import CommandLineSupport
import FeedClientKit
import FeedHistory
import FeedModel
import Foundation
import ZeroMQ

extension OutputFormat: ExpressibleByArgument {}
extension InputRecordParser.Format: ExpressibleByArgument {}

/// `--format`, shared by every command that prints messages.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: OutputFormat = .table
}

/// Parses topic prefixes given on the command line into a usage error when one is invalid.
enum PrefixArguments {
    static func parse(_ texts: [String]) throws -> [TopicPrefix] {
        try texts.map { text in
            do { return try TopicPrefix(text) } catch { throw ValidationError("\(error)") }
        }
    }
}

/// Parses a time option into a usage error when it is not a time.
enum TimeArgument {
    static func parse(_ text: String?, option: String) throws -> Timestamp? {
        guard let text else { return nil }
        do { return try Timestamp(parsing: text) } catch { throw ValidationError("\(option): \(error)") }
    }
}

/// The transports a client reaches a server's ingest or replay endpoint over.
let serverTransports: [EndpointArgument.Transport] = [.tcp, .ipc]

/// `--timeout-ms`: how long a command waits for each answer of a server's replay endpoint.
struct ReplayTimeoutOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Give up if the server has not answered within this many milliseconds.")
    var timeoutMs = 5000

    func validate() throws {
        try TimeoutArgument.check(timeoutMs, option: "--timeout-ms")
    }
}

/// `--server` or `--db`: where `history` and `snapshot` read from.
struct HistorySourceOptions: ParsableArguments {
    @Option(help: "Replay endpoint of the feed-server (default tcp://127.0.0.1:5558).")
    var server: String?

    @Option(help: "Read this history database file directly instead of asking a server.")
    var db: String?

    @OptionGroup var timeout: ReplayTimeoutOptions

    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        if server != nil && db != nil { throw ValidationError("give --server or --db, not both") }
        if db?.isEmpty == true { throw ValidationError("--db: empty path") }
        if let server { try EndpointArgument.check(server, option: "--server", role: .connect, transports: serverTransports) }
    }

    /// The database file read-only, or a client of the server's replay endpoint. An old file
    /// is read as it is, with a note on stderr saying how to upgrade it.
    func open(context: ZMQContext) throws -> any HistorySource {
        if let db {
            let store = try HistoryStore(path: db, readOnly: true)
            if let note = store.versionNote { FileHandle.standardError.write(Data((note + "\n").utf8)) }
            return HistoryFile(store: store)
        }
        return try ReplayClient(
            context: context, endpoint: server ?? "tcp://127.0.0.1:5558", timeoutMilliseconds: timeout.timeoutMs,
            curve: try curve.security())
    }
}
