extension TopicPrefix {
    /// The fewest of `prefixes` that match every topic any of them matches: a prefix that starts
    /// with another one given (`NASDAQ.AAPL` under `NASDAQ.`) is dropped, and so are repeats, so
    /// each topic belongs to exactly one of the result. Empty in, empty out; order by bytes.
    public static func covering(_ prefixes: [TopicPrefix]) -> [TopicPrefix] {
        var kept: [TopicPrefix] = []
        // In bytewise order a prefix comes right before everything it covers.
        for prefix in prefixes.sorted(by: { $0.rawValue.utf8.lexicographicallyPrecedes($1.rawValue.utf8) }) {
            if let last = kept.last, prefix.rawValue.utf8.starts(with: last.rawValue.utf8) { continue }
            kept.append(prefix)
        }
        return kept
    }
}
