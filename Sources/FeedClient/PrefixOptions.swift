import ArgumentParser
import CommandLineSupport
import FeedModel

/// The topic prefixes of `subscribe`, `history` and `snapshot`: given as arguments, listed in
/// a file with `--prefixes-from`, or both.
struct PrefixOptions: ParsableArguments {
    @Argument(help: "Topic prefixes, e.g. NASDAQ. or NASDAQ.AAPL; none (and no --prefixes-from) means everything.")
    var prefixes: [String] = []

    @Option(
        help: ArgumentHelp(
            "Also the prefixes listed in FILE, one a line ('#' comments, blank lines skipped); - reads standard input.",
            valueName: "FILE"))
    var prefixesFrom: String?

    func validate() throws {
        _ = try PrefixArguments.parse(prefixes)
        if prefixesFrom?.isEmpty == true { throw ValidationError("--prefixes-from: empty path") }
    }

    /// The prefixes of the arguments, then of the file (read now, once: it may be standard
    /// input); `[.all]` when neither gives any. A file that lists none is a usage error: an
    /// empty watchlist silently meaning everything would surprise.
    func resolved() throws -> [TopicPrefix] {
        var list = try PrefixArguments.parse(prefixes)
        if let prefixesFrom {
            let listed = try PrefixListFile.read(prefixesFrom, option: "--prefixes-from")
            if listed.isEmpty {
                throw ValidationError("--prefixes-from \(prefixesFrom == "-" ? "stdin" : prefixesFrom): no prefix in it")
            }
            list += listed
        }
        return list.isEmpty ? [.all] : list
    }

    /// The prefixes for a status line: all of them when few, else how many.
    static func summary(_ prefixes: [TopicPrefix]) -> String {
        if prefixes.count > 10 { return "\(prefixes.count) prefixes" }
        return prefixes.map(\.description).joined(separator: " ")
    }
}
