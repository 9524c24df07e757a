import FeedModel
import Testing

@testable import FeedServerCore

/// The relay's allowed prefixes answer by binary search what a scan over all of them would.
struct AllowedPrefixesTests {
    @Test func prefixesUnderAnotherAreDroppedAndTheRestSortedByBytes() throws {
        let allowed = AllowedPrefixes(try ["NYSE.IBM", "NASDAQ.", "NASDAQ.AAPL", "LSE", "NYSE.IBM"].map { try TopicPrefix($0) })
        #expect(allowed.prefixes == ["LSE", "NASDAQ.", "NYSE.IBM"])
        #expect(AllowedPrefixes([]).allowsEverything)
        #expect(!AllowedPrefixes([]).covers("NASDAQ.AAPL"))
    }

    @Test func coverAndUnderAgreeWithAScanOverEveryPrefix() throws {
        var random = SplitMix64(seed: 2026)
        // Short prefixes over a few bytes, so they often start one another.
        let pool = try ["A", "AB", "A.", "A.X", "A.XY", "AB.X", "B.", "B.X", "B.XY", "BA", "Z.Z"].map { try TopicPrefix($0) }
        let probes = ["", "$HB", "A", "A.", "A.X", "A.XYZ", "A.Y", "AB", "AB.", "AB.XY", "B", "B.", "B.Y", "BA.Q", "C.X", "Z", "Z.Z"]
        for _ in 0..<500 {
            let given = (0..<Int.random(in: 0...6, using: &random)).map { _ in pool.randomElement(using: &random)! }
            let allowed = AllowedPrefixes(given)
            let kept = Set(given.map(\.rawValue)).filter { prefix in !given.contains { $0.rawValue != prefix && $0.matches(prefix) } }
            for probe in probes {
                let expected = given.contains { $0.matches(probe) }
                #expect(allowed.covers(probe) == expected, "\(given) cover '\(probe)'")
                let under = kept.filter { $0.utf8.starts(with: probe.utf8) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
                #expect(Array(allowed.under(probe)) == under, "\(given) under '\(probe)'")
            }
        }
    }
}
