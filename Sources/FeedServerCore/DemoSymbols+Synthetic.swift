import FeedModel

extension DemoSymbols {
    /// The largest synthetic universe: more than OPRA's option series.
    static let maximumCount = 2_000_000
    /// Equity tickers in a synthetic universe; symbols beyond them are option series on them.
    static let tickerCount = 10_000

    private static let equityVenues = ["NASDAQ", "NYSE", "ARCA", "BATS", "IEX"].map { Array($0.utf8) }
    private static let optionVenues = ["CBOE", "ISE", "PHLX", "MIAX", "BOX"].map { Array($0.utf8) }
    /// Expiries (YYMMDD): the third Fridays of eight months of 2027.
    private static let expiries = ["270115", "270219", "270319", "270416", "270521", "270618", "270917", "271217"]
        .map { Array($0.utf8) }

    /// `count` (1-``maximumCount``) distinct synthetic symbols, the same for the same `seed`.
    ///
    /// The first ``tickerCount`` are equity tickers of 1-4 letters (`NASDAQ.KQZT`), taken from a
    /// seeded permutation of all such tickers and spread over NASDAQ, NYSE, ARCA, BATS and IEX
    /// in turn, opening at $5-$500. The rest are option series on those tickers, named as OCC
    /// does: ticker, expiry YYMMDD, C or P, strike in thousandths of a dollar on 8 digits
    /// (`PHLX.KQZT270319C00041250`); series go round the tickers first, then calls and puts, the
    /// expiries, and strikes at the money and then 2.5% steps alternately above and below (at
    /// most 6 steps away at the maximum count, so strikes stay positive). A ticker's series
    /// rotate over CBOE, ISE, PHLX, MIAX and BOX; they open at 2-10% of their ticker's price, at
    /// least $1.
    init(synthetic count: Int, seed: UInt64) {
        precondition((1...Self.maximumCount).contains(count), "\(count) synthetic symbols: not 1-\(Self.maximumCount)")
        // Names and prices draw from a stream apart from the one DemoFeed draws events from.
        var random = SplitMix64(seed: seed ^ 0x6E61_6D65_7321)
        let tickers = TickerPermutation(random: &random)
        let tickerCount = min(count, Self.tickerCount)
        var topics = TopicArena(reservingTopics: count, bytes: tickerCount * 11 + (count - tickerCount) * 24)
        var openingCents: [Int64] = []
        openingCents.reserveCapacity(count)
        var name = NameBuffer()
        for ticker in 0..<tickerCount {
            name.start(venue: Self.equityVenues[ticker % Self.equityVenues.count])
            tickers.write(ticker, to: &name)
            name.withBytes { topics.append($0) }
            openingCents.append(500 + Int64(random.next(upperBound: 49_501)))
        }
        for series in 0..<(count - tickerCount) {
            let ticker = series % tickerCount
            var rest = series / tickerCount
            name.start(venue: Self.optionVenues[(ticker + rest) % Self.optionVenues.count])
            tickers.write(ticker, to: &name)
            let isCall = rest % 2 == 0
            rest /= 2
            name.append(Self.expiries[rest % Self.expiries.count])
            name.append(UInt8(ascii: isCall ? "C" : "P"))
            name.append(digits: Self.strikeMillis(underlyingCents: openingCents[ticker], rank: rest / Self.expiries.count), width: 8)
            name.withBytes { topics.append($0) }
            openingCents.append(max(100, openingCents[ticker] * Int64(2 + random.next(upperBound: 9)) / 100))
        }
        self.init(topics: topics, openingCents: openingCents)
    }

    /// The strike of rank `rank` in thousandths of a dollar: rank 0 at the money, then one step
    /// of 2.5% above, one below, two above, ... Distinct for distinct ranks.
    private static func strikeMillis(underlyingCents: Int64, rank: Int) -> Int64 {
        let step = max(1, underlyingCents * 10 / 40)
        let atTheMoney = underlyingCents * 10 / step * step
        let steps = Int64(rank.isMultiple(of: 2) ? -(rank / 2) : (rank + 1) / 2)
        return atTheMoney + steps * step
    }
}

/// A seeded permutation of every ticker of 1-4 letters (A-Z, then AA-ZZ, ..., then AAAA-ZZZZ):
/// ticker `i` is number `(multiplier * i + offset) mod count` in that order, and a multiplier
/// prime to the count makes distinct `i` (below the count) give distinct tickers.
private struct TickerPermutation {
    /// 26 + 26² + 26³ + 26⁴.
    static let count = 475_254

    let multiplier: Int
    let offset: Int

    init(random: inout SplitMix64) {
        var multiplier = Self.count / 3 + Int(random.next(upperBound: UInt64(Self.count / 3)))
        while Self.greatestCommonDivisor(multiplier, Self.count) != 1 { multiplier += 1 }
        self.multiplier = multiplier
        offset = Int(random.next(upperBound: UInt64(Self.count)))
    }

    /// Appends the letters of ticker `index`.
    func write(_ index: Int, to name: inout NameBuffer) {
        var number = (multiplier * index + offset) % Self.count
        var length = 1
        var lengthCount = 26  // Tickers of `length` letters.
        while number >= lengthCount {
            number -= lengthCount
            length += 1
            lengthCount *= 26
        }
        name.append(base: 26, digits: number, width: length, zero: UInt8(ascii: "A"))
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int { b == 0 ? a : greatestCommonDivisor(b, a % b) }
}

/// Scratch space where one topic is written before it goes into the arena.
private struct NameBuffer: ~Copyable {
    private let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Topic.maximumLength, alignment: 1)
    private var length = 0

    deinit { bytes.deallocate() }

    /// Starts a new topic, `VENUE.`.
    mutating func start(venue: [UInt8]) {
        length = 0
        append(venue)
        append(UInt8(ascii: "."))
    }

    mutating func append(_ byte: UInt8) {
        bytes.storeBytes(of: byte, toByteOffset: length, as: UInt8.self)
        length += 1
    }

    mutating func append(_ text: [UInt8]) {
        text.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: bytes[length...]).copyMemory(from: $0) }
        length += text.count
    }

    /// Appends `value` as `width` digits in `base`, most significant first, digit 0 being `zero`.
    mutating func append(base: Int, digits value: Int, width: Int, zero: UInt8) {
        // Loops by hand: they run for every name, and generic iteration is slow in debug builds.
        var value = value
        var position = length + width
        while position > length {
            position -= 1
            bytes.storeBytes(of: zero + UInt8(value % base), toByteOffset: position, as: UInt8.self)
            value /= base
        }
        length += width
    }

    /// Appends `value` as `width` decimal digits.
    mutating func append(digits value: Int64, width: Int) {
        append(base: 10, digits: Int(value), width: width, zero: UInt8(ascii: "0"))
    }

    func withBytes(_ body: (UnsafeRawBufferPointer) -> Void) { body(UnsafeRawBufferPointer(rebasing: bytes[0..<length])) }
}
