import GRDB

/// Why the history could not be opened, written or queried: a kind to branch on and a one-line
/// description that names the file, fit to print as is.
public struct HistoryError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What went wrong, coarsely.
    public enum Kind: Sendable, Equatable {
        /// The file or its folder cannot be created or opened (missing, permissions, not a folder).
        case cannotOpen
        /// The file exists but is not a feed history this program can read.
        case notAHistory
        /// The file is a history of an older schema version that must be upgraded before this
        /// program writes to it (`feed-server migrate`); it can still be read.
        case needsMigration
        /// A block handed to ``HistoryStore/append(_:)`` is not a valid message block.
        case malformedBlock
        /// The query, cursor or page size cannot be served as given.
        case invalidQuery
        /// SQLite failed while reading or writing (disk full, locked).
        case storage
        /// The file is damaged: SQLite found it malformed, or a stored block does not read back.
        /// `feed-server repair` salvages what is readable into a new file.
        case damaged
    }

    public let kind: Kind
    /// One line, naming the path where one is involved.
    public let description: String

    /// An error of `kind`; newlines in `description` become spaces.
    public init(_ kind: Kind, _ description: String) {
        self.kind = kind
        // Keep it on one line whatever an underlying error said.
        self.description = description.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Wraps an error from SQLite or GRDB met while working on the history at `path`.
    static func storage(_ error: any Error, path: String) -> HistoryError {
        if let error = error as? HistoryError { return error }
        if let error = error as? DamageFound {
            switch error {
            case .block(_, let cause): return storage(cause, path: path)
            case .segment(let segment): return HistoryError(.damaged, "history \(path) is damaged: the index of segment \(segment) cannot be read")
            }
        }
        if let error = error as? StoredBlocks.Corrupt { return HistoryError(.damaged, "history \(path) is damaged: \(error)") }
        if let error = error as? DatabaseError {
            if error.resultCode == .SQLITE_NOTADB {
                return HistoryError(.notAHistory, "\(path) is not a feed history database (\(error.message ?? "file is not a database"))")
            }
            if error.resultCode == .SQLITE_CORRUPT {
                return HistoryError(.damaged, "history \(path) is damaged (\(error.message ?? "database disk image is malformed"))")
            }
            return HistoryError(
                .storage, "history \(path): \(error.message ?? "SQLite error") (SQLite error \(error.extendedResultCode.rawValue))")
        }
        return HistoryError(.storage, "history \(path): \(error)")
    }
}
