import FeedHistory
import Logging

extension FeedServer {
    /// Opens the history and checks it (``FeedHistory/HistoryStore/checkHealth()``) before
    /// anything is recorded into it: a damaged file is refused, with what to do, rather than
    /// written on (SQLite may build new pages on damaged ones and lose more).
    static func openCheckedHistory(path: String, logger: Logger) throws -> HistoryStore {
        let store: HistoryStore
        let report: HistoryStore.HealthReport
        do {
            store = try HistoryStore(path: path)
            report = try store.checkHealth()
        } catch {
            guard error.kind == .damaged else { throw error }
            throw HistoryError(
                .damaged,
                "\(error.description); not recording into it. Salvage every readable block into a new file with "
                    + "`feed-server repair --db \(path) --output NEW.sqlite` and start with --db NEW.sqlite, or start with a new --db")
        }
        let scope = report.wholeFile ? "whole file (quick_check)" : "bounded check (newest segments, tail and a sample)"
        logger.info("history \(path) checked: \(report.fileBytes) bytes, \(report.blocksRead) blocks read back, \(scope)")
        return store
    }
}
