import ArgumentParser
import FeedClientKit
import FeedHistory
import FeedModel
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

/// `--server` or `--db`: where `history` and `snapshot` read from.
struct HistorySourceOptions: ParsableArguments {
    @Option(help: "Replay endpoint of the feed-server (default tcp://127.0.0.1:5558).")
    var server: String?

    @Option(help: "Read this history database file directly instead of asking a server.")
    var db: String?

    func validate() throws {
        if server != nil && db != nil { throw ValidationError("give --server or --db, not both") }
    }

    /// The database file read-only, or a client of the server's replay endpoint.
    func open(context: ZMQContext) throws -> any HistorySource {
        if let db { return try HistoryStore(path: db, readOnly: true) }
        return try ReplayClient(context: context, endpoint: server ?? "tcp://127.0.0.1:5558")
    }
}
