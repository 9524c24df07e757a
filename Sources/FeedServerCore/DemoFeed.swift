import FeedModel

/// The built-in demo generator: realistic quotes and trades over a universe of symbols
/// (``DemoSymbols``: 30 listed names, or up to two million synthetic ones).
///
/// Every event picks its symbol uniformly at random, so messages spread over the whole
/// universe: with 10,000 symbols a block of 4096 messages holds about 3,400 of them. Each
/// symbol's mid price takes a random walk in cent ticks; quotes have spreads of 1-5 ticks and
/// round-lot sizes; about one event in five is a trade, at the last published bid (seller
/// aggressing) or ask (buyer aggressing) of its symbol, so trades never print outside the
/// quotes a subscriber has seen. A symbol's first event is a quote. Seeded, so a run can be
/// reproduced. An event allocates nothing and costs the same whatever the number of symbols.
struct DemoFeed {
    /// One symbol's market, in cents.
    private struct Instrument {
        var midTicks: Int64
        /// The last quote published; both 0 before the first (a published ask is at least 1).
        var bidTicks: Int64 = 0
        var askTicks: Int64 = 0
    }

    private let topics: TopicArena
    private var instruments: [Instrument]
    private var random: SplitMix64

    init(symbols: DemoSymbols, seed: UInt64) {
        random = SplitMix64(seed: seed)
        topics = symbols.topics
        instruments = symbols.openingCents.map { Instrument(midTicks: $0) }
    }

    /// Generates the next event: writes its body (unsequenced: sequencing is the engine's job;
    /// `eventTime` as its time) into `body` and calls `emit` with its topic and that body, both
    /// valid only during the call.
    mutating func next(
        eventTime: Int64, into body: UnsafeMutableRawBufferPointer,
        _ emit: (_ topic: UnsafeRawBufferPointer, _ body: UnsafeMutableRawBufferPointer) throws -> Void
    ) rethrows {
        let (symbol, payload) = nextEvent()
        let encoded = UnsafeMutableRawBufferPointer(rebasing: body[0..<payload.type.bodyLength])
        FeedMessage.encodeBody(payload, eventTime: eventTime, into: encoded)
        try topics.withBytes(of: symbol) { try emit($0, encoded) }
    }

    private mutating func nextEvent() -> (symbol: Int, payload: Payload) {
        let index = Int(random.next(upperBound: UInt64(instruments.count)))
        var instrument = instruments[index]
        if instrument.askTicks > 0, random.next(upperBound: 5) == 0 {
            let buyerAggressed = random.next(upperBound: 2) == 0
            let trade = Trade(
                price: Self.price(ticks: buyerAggressed ? instrument.askTicks : instrument.bidTicks),
                size: UInt32(1 + random.next(upperBound: 20)) * 50,
                aggressor: buyerAggressed ? .buy : .sell)
            return (index, .trade(trade))
        }
        // Random walk: mostly small steps, now and then a jump.
        let step = Int64(random.next(upperBound: 7)) - 3
        instrument.midTicks = max(100, instrument.midTicks + (random.next(upperBound: 50) == 0 ? step * 10 : step))
        let spreadTicks = 1 + Int64(random.next(upperBound: 5))
        instrument.bidTicks = instrument.midTicks - spreadTicks / 2
        instrument.askTicks = instrument.bidTicks + spreadTicks
        instruments[index] = instrument
        let quote = Quote(
            bidPrice: Self.price(ticks: instrument.bidTicks), askPrice: Self.price(ticks: instrument.askTicks),
            bidSize: UInt32(1 + random.next(upperBound: 50)) * 100,
            askSize: UInt32(1 + random.next(upperBound: 50)) * 100)
        return (index, .quote(quote))
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
