import FeedModel

/// The built-in demo generator: realistic quotes and trades for 30 symbols on two venues.
///
/// Each symbol's mid price takes a random walk in cent ticks; quotes have spreads of 1-5 ticks
/// and round-lot sizes; about one event in five is a trade, at the last published bid (seller
/// aggressing) or ask (buyer aggressing) of its symbol, so trades never print outside the
/// quotes a subscriber has seen. A symbol's first event is a quote. Seeded, so a run can be
/// reproduced.
struct DemoFeed {
    private struct Instrument {
        let topic: Topic
        var midTicks: Int64  // Mid price in cents.
        /// The last quote published, in cents; `nil` before the first.
        var quoted: (bidTicks: Int64, askTicks: Int64)?
    }

    private static let listings: [(venue: String, symbol: String, price: Int64)] = [
        ("NASDAQ", "AAPL", 228), ("NASDAQ", "MSFT", 415), ("NASDAQ", "NVDA", 138), ("NASDAQ", "AMZN", 197),
        ("NASDAQ", "GOOGL", 176), ("NASDAQ", "META", 563), ("NASDAQ", "TSLA", 341), ("NASDAQ", "AVGO", 165),
        ("NASDAQ", "COST", 912), ("NASDAQ", "NFLX", 887), ("NASDAQ", "AMD", 138), ("NASDAQ", "INTC", 24),
        ("NASDAQ", "ADBE", 508), ("NASDAQ", "PEP", 158), ("NASDAQ", "CSCO", 58),
        ("NYSE", "JPM", 243), ("NYSE", "V", 311), ("NYSE", "WMT", 90), ("NYSE", "XOM", 120), ("NYSE", "JNJ", 153),
        ("NYSE", "PG", 174), ("NYSE", "KO", 63), ("NYSE", "DIS", 114), ("NYSE", "BA", 152), ("NYSE", "IBM", 222),
        ("NYSE", "GS", 598), ("NYSE", "CAT", 402), ("NYSE", "MCD", 294), ("NYSE", "NKE", 77), ("NYSE", "BRK.B", 474),
    ]

    private var instruments: [Instrument]
    private var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
        instruments = Self.listings.map { listing in
            Instrument(
                topic: try! Topic("\(listing.venue).\(listing.symbol)"), midTicks: listing.price * 100, quoted: nil)
        }
    }

    /// Every topic the generator uses.
    var topics: [Topic] { instruments.map(\.topic) }

    /// The next event, with `eventTime` as its time; sequencing is the engine's job.
    mutating func next(eventTime: Int64) -> FeedMessage {
        let index = Int(random.next(upperBound: UInt64(instruments.count)))
        var instrument = instruments[index]
        let payload: Payload
        if let quoted = instrument.quoted, random.next(upperBound: 5) == 0 {
            let buyerAggressed = random.next(upperBound: 2) == 0
            payload = .trade(
                Trade(
                    price: Self.price(ticks: buyerAggressed ? quoted.askTicks : quoted.bidTicks),
                    size: UInt32(1 + random.next(upperBound: 20)) * 50,
                    aggressor: buyerAggressed ? .buy : .sell))
        } else {
            // Random walk: mostly small steps, now and then a jump.
            let step = Int64(random.next(upperBound: 7)) - 3
            instrument.midTicks = max(100, instrument.midTicks + (random.next(upperBound: 50) == 0 ? step * 10 : step))
            let spreadTicks = 1 + Int64(random.next(upperBound: 5))
            let bidTicks = instrument.midTicks - spreadTicks / 2
            instrument.quoted = (bidTicks, bidTicks + spreadTicks)
            instruments[index] = instrument
            payload = .quote(
                Quote(
                    bidPrice: Self.price(ticks: bidTicks), askPrice: Self.price(ticks: bidTicks + spreadTicks),
                    bidSize: UInt32(1 + random.next(upperBound: 50)) * 100,
                    askSize: UInt32(1 + random.next(upperBound: 50)) * 100))
        }
        return FeedMessage(topic: instrument.topic, eventTime: eventTime, payload: payload)
    }

    private static func price(ticks: Int64) -> Price { Price(mantissa: ticks * 1_000_000) }
}

/// A small, fast, seedable generator (SplitMix64), so demo runs are reproducible.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func next(upperBound: UInt64) -> UInt64 { next() % upperBound }
}
