import Logging

extension ClientAllowList {
    /// Reloads the folder (``reload()``) and logs what changed and each file left out; an
    /// unreadable folder is logged and changes nothing. What SIGHUP does with CURVE.
    public func reload(logger: Logger) {
        do {
            let changes = try reload()
            func names(_ list: [String]) -> String { list.isEmpty ? "none" : list.joined(separator: ", ") }
            logger.notice(
                "clients reloaded from \(folder): \(count) clients; added \(names(changes.added)); removed \(names(changes.removed)); changed \(names(changes.changed))"
            )
            logProblems(logger)
        } catch {
            logger.error("clients not reloaded, the previous ones stay: \(error)")
        }
    }

    /// Logs each file left out at the last (re)load.
    func logProblems(_ logger: Logger) {
        for problem in problems { logger.warning("client certificate left out: \(problem)") }
    }
}
