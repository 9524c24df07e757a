#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import FeedModel
import Testing

/// A small seeded generator (SplitMix64), so fuzz and property tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in UInt8.random(in: 0...255, using: &self) }
    }
}

/// Memory with an inaccessible page on each side of one readable page: bytes copied flush against
/// either edge make any read past that edge a crash (SIGSEGV) instead of a silent wrong answer.
final class GuardedMemory {
    enum Edge { case start, end }

    private let pageSize: Int
    private let mapping: UnsafeMutableRawPointer

    init() {
        pageSize = Int(getpagesize())
        guard let mapped = mmap(nil, 3 * pageSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapped != MAP_FAILED
        else { fatalError("mmap failed: errno \(errno)") }
        mapping = mapped
        precondition(mprotect(mapping, pageSize, PROT_NONE) == 0)
        precondition(mprotect(mapping + 2 * pageSize, pageSize, PROT_NONE) == 0)
    }

    deinit { munmap(mapping, 3 * pageSize) }

    /// Calls `body` with a copy of `bytes` whose first (`.start`) or last (`.end`) byte touches a guard page.
    func with<Result, Failure: Error>(
        _ bytes: [UInt8], at edge: Edge, _ body: (UnsafeRawBufferPointer) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        precondition(bytes.count <= pageSize)
        let page = mapping + pageSize
        let start = edge == .start ? page : page + (pageSize - bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { start.copyMemory(from: base, byteCount: source.count) }
        }
        return try body(UnsafeRawBufferPointer(start: start, count: bytes.count))
    }
}

/// Decodes frames placed flush against guard pages: once touching the end, once the start.
/// Both answers must agree (they read the same bytes).
func guardedDecode(
    topic: [UInt8], body: [UInt8], topicMemory: GuardedMemory, bodyMemory: GuardedMemory
) -> Result<FeedMessage, WireError> {
    var answers: [Result<FeedMessage, WireError>] = []
    for edge in [GuardedMemory.Edge.end, .start] {
        let answer = topicMemory.with(topic, at: edge) { topicBytes in
            bodyMemory.with(body, at: edge) { bodyBytes in
                Result { () throws(WireError) in try FeedMessage(topic: topicBytes, body: bodyBytes) }
            }
        }
        answers.append(answer)
    }
    precondition(answers[0] == answers[1], "decoding depends on where the bytes are")
    return answers[0]
}

/// Decodes with guard pages around both frames (fresh mappings: for tests that decode a few messages).
func guardedDecode(topic: [UInt8], body: [UInt8]) -> Result<FeedMessage, WireError> {
    guardedDecode(topic: topic, body: body, topicMemory: GuardedMemory(), bodyMemory: GuardedMemory())
}

func topic(_ text: String) -> Topic {
    do { return try Topic(text) } catch { fatalError("test topic \(text): \(error)") }
}

/// Messages of every type, with ordinary and extreme field values.
enum Samples {
    static let quote = FeedMessage(
        topic: topic("NASDAQ.AAPL"), session: 1_763_821_805, feedSequence: 88, topicSequence: 3,
        eventTime: 1_795_357_805_123_450_112, publishTime: 1_795_357_805_123_456_789,
        payload: .quote(
            Quote(
                bidPrice: Price(mantissa: 22_801_000_000), askPrice: Price(mantissa: 22_803_000_000), bidSize: 300,
                askSize: 1200)))

    static let trade = FeedMessage(
        topic: topic("NYSE.BRK.B"), session: 1_763_821_805, feedSequence: 89, topicSequence: 7,
        eventTime: 1_795_357_805_123_899_871, publishTime: 1_795_357_805_123_901_002,
        payload: .trade(Trade(price: Price(mantissa: 22_205_000_000), size: 150, aggressor: .buy)))

    static let heartbeat = FeedMessage(
        topic: .heartbeat, session: 1_763_821_805, feedSequence: 89, topicSequence: 0,
        eventTime: 1_795_357_806_000_000_000, publishTime: 1_795_357_806_000_000_000, payload: .heartbeat)

    static let ordinary = [quote, trade, heartbeat]

    /// Every header and payload field at its minimum or maximum, including negative times.
    static let extremes: [FeedMessage] = [
        FeedMessage(
            topic: topic("A.B"), session: .max, feedSequence: .max, topicSequence: .max, eventTime: .min,
            publishTime: .max,
            payload: .quote(
                Quote(
                    bidPrice: Price(mantissa: .min), askPrice: Price(mantissa: .max), bidSize: .max, askSize: .max))),
        FeedMessage(
            topic: topic("VENUEVENUEVENUE1.SYMBOLSYMBOLSYMBOLSYMBOLSYMBOL12"), session: 0, feedSequence: 0,
            topicSequence: 0, eventTime: -1, publishTime: .min,
            payload: .quote(Quote(bidPrice: Price(mantissa: -1), askPrice: Price(mantissa: 0), bidSize: 0, askSize: 0))),
        FeedMessage(
            topic: topic("X1.a-b_c/d.e"), session: .max, feedSequence: 1, topicSequence: .max, eventTime: .max,
            publishTime: -1, payload: .trade(Trade(price: Price(mantissa: .min), size: .max, aggressor: .sell))),
        FeedMessage(
            topic: topic("LSE.VOD"), session: 1, feedSequence: .max, topicSequence: 1, eventTime: -86_400_000_000_000,
            publishTime: 0, payload: .trade(Trade(price: Price(mantissa: .max), size: 0, aggressor: .unknown))),
        FeedMessage(
            topic: .heartbeat, session: .max, feedSequence: .max, topicSequence: 0, eventTime: .min, publishTime: .min,
            payload: .heartbeat),
    ]

    static let all = ordinary + extremes
}

extension FeedMessage: CustomTestStringConvertible {
    public var testDescription: String { "\(payload.type) on \(topic)" }
}

/// A valid header followed by zeros: `length` bytes claiming `type`.
func body(type: UInt8, length: Int, version: UInt8 = 1) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: length)
    if length > 0 { bytes[0] = version }
    if length > 1 { bytes[1] = type }
    return bytes
}
