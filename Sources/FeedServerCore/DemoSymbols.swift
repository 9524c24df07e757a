import FeedModel

/// The demo generator's universe: every symbol's topic, in one ``TopicArena``, and its opening
/// mid price. Either the 30 listed names of ``listed`` (the default) or a synthetic universe of
/// any size up to two million (`--demo-symbols`, in `DemoSymbols+Synthetic.swift`).
struct DemoSymbols {
    /// The topics, by symbol index.
    let topics: TopicArena
    /// The opening mid price of each symbol in cents, by symbol index.
    let openingCents: [Int64]

    /// Thirty real names on NASDAQ and NYSE, with prices in dollars of about their real ones.
    static let listed = DemoSymbols(listings: [
        ("NASDAQ", "AAPL", 228), ("NASDAQ", "MSFT", 415), ("NASDAQ", "NVDA", 138), ("NASDAQ", "AMZN", 197),
        ("NASDAQ", "GOOGL", 176), ("NASDAQ", "META", 563), ("NASDAQ", "TSLA", 341), ("NASDAQ", "AVGO", 165),
        ("NASDAQ", "COST", 912), ("NASDAQ", "NFLX", 887), ("NASDAQ", "AMD", 138), ("NASDAQ", "INTC", 24),
        ("NASDAQ", "ADBE", 508), ("NASDAQ", "PEP", 158), ("NASDAQ", "CSCO", 58),
        ("NYSE", "JPM", 243), ("NYSE", "V", 311), ("NYSE", "WMT", 90), ("NYSE", "XOM", 120), ("NYSE", "JNJ", 153),
        ("NYSE", "PG", 174), ("NYSE", "KO", 63), ("NYSE", "DIS", 114), ("NYSE", "BA", 152), ("NYSE", "IBM", 222),
        ("NYSE", "GS", 598), ("NYSE", "CAT", 402), ("NYSE", "MCD", 294), ("NYSE", "NKE", 77), ("NYSE", "BRK.B", 474),
    ])

    init(topics: TopicArena, openingCents: [Int64]) {
        precondition(topics.count == openingCents.count, "a price for every topic")
        self.topics = topics
        self.openingCents = openingCents
    }

    private init(listings: [(venue: String, symbol: String, dollars: Int64)]) {
        var topics = TopicArena()
        for listing in listings {
            Array("\(listing.venue).\(listing.symbol)".utf8).withUnsafeBytes { topics.append($0) }
        }
        self.init(topics: topics, openingCents: listings.map { $0.dollars * 100 })
    }
}
