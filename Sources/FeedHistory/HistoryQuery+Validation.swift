import FeedModel

extension HistoryQuery {
    /// Throws when the query cannot match anything by construction or is malformed.
    func validate() throws(HistoryError) {
        if prefixes.isEmpty { throw HistoryError.noPrefixes }
        if let since, let until, since >= until {
            throw HistoryError(.invalidQuery, "empty time range: since \(since) is not before until \(until)")
        }
        if let fromSequence, let toSequence, fromSequence > toSequence {
            throw HistoryError(.invalidQuery, "empty sequence range: from \(fromSequence) is after to \(toSequence)")
        }
        if let limit, limit < 0 {
            throw HistoryError(.invalidQuery, "limit must not be negative, got \(limit)")
        }
    }
}

extension HistoryError {
    /// An empty list of prefixes: it would match nothing, which is never what was meant.
    static let noPrefixes = HistoryError(.invalidQuery, "no topic prefix given: give at least one (the empty prefix is everything)")
}
