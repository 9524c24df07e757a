import FeedClientKit
import FeedHistory
import FeedModel

/// A history database file read directly (`--db`): FeedHistory's store as the ``HistorySource``
/// FeedClientKit pages through, plugged in here so that the client library itself never links
/// SQLite. Owned by the command that opened it.
struct HistoryFile: HistorySource {
    let store: HistoryStore

    func page(_ query: HistoryQuery, after cursor: HistoryCursor?, maxMessages: Int) throws -> HistoryPage {
        try store.query(query, after: cursor, maxMessages: maxMessages)
    }

    func snapshot(prefixes: [TopicPrefix], at: Timestamp?, after: String?, maxMessages: Int) throws -> SnapshotPage {
        try store.snapshot(prefixes: prefixes, at: at, after: after, maxMessages: maxMessages)
    }
}
