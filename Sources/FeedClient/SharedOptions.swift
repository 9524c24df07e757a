import ArgumentParser
import FeedClientKit
import FeedModel

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
