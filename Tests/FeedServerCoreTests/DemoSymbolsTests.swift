import FeedModel
import Testing

@testable import FeedServerCore

extension DemoSymbols {
    /// Every topic, as text.
    var names: [String] { (0..<topics.count).map { topics.withBytes(of: $0) { String(decoding: $0, as: UTF8.self) } } }
}

/// The demo generator's symbol universes: valid topics, distinct, the same for the same seed.
struct DemoSymbolsTests {
    @Test func theDefaultUniverseIsThirtyListedNames() {
        let names = DemoSymbols.listed.names
        #expect(names.count == 30)
        #expect(names.first == "NASDAQ.AAPL" && names.last == "NYSE.BRK.B")
        #expect(Set(names).count == 30)
    }

    /// Every name is checked for distinctness; for validity every name up to 200,000, beyond
    /// that every 64th and the last 10,000 (the strikes farthest from the money).
    @Test(arguments: [1, 30, 10_000, 10_001, 123_457, DemoSymbols.maximumCount])
    func syntheticNamesAreDistinctValidTopics(count: Int) {
        let symbols = DemoSymbols(synthetic: count, seed: 0x5EED)
        #expect(symbols.topics.count == count && symbols.openingCents.count == count)
        var table = TopicTable()
        for index in 0..<count {
            let checked = count <= 200_000 || index.isMultiple(of: 64) || index >= count - 10_000
            let (valid, new) = symbols.topics.withBytes(of: index) { topic in
                (!checked || (try? Topic.check(topic)) == false, table.insert(topic).inserted)
            }
            guard valid, new else {
                let name = symbols.topics.withBytes(of: index) { String(decoding: $0, as: UTF8.self) }
                Issue.record("symbol \(index), \(name): \(valid ? "seen before" : "not a valid topic")")
                return
            }
        }
        #expect(symbols.openingCents.allSatisfy { $0 >= 100 })
    }

    @Test func tickersSpreadOverFiveVenuesThenOptionSeriesOverFiveMore() throws {
        let names = DemoSymbols(synthetic: 20_000, seed: 1).names
        let venues = { (names: ArraySlice<String>) in Set(names.map { $0.prefix { $0 != "." } }) }
        #expect(venues(names[..<10_000]) == ["NASDAQ", "NYSE", "ARCA", "BATS", "IEX"])
        #expect(venues(names[10_000...]) == ["CBOE", "ISE", "PHLX", "MIAX", "BOX"])
        // OCC-style: ticker, expiry, C or P, eight digits of strike; on the same ticker as the
        // first tickers.
        let ticker = try #require(names.first?.split(separator: ".").last)
        let series = try #require(names.dropFirst(10_000).first?.split(separator: ".").last)
        #expect(series.hasPrefix(ticker) && series.count == ticker.count + 15, "\(series) on \(ticker)")
        #expect(series.dropFirst(ticker.count + 6).first == "C" && series.suffix(8).allSatisfy(\.isNumber))
    }

    @Test func theSameSeedGivesTheSameSymbols() {
        let names = DemoSymbols(synthetic: 20_000, seed: 99).names
        #expect(names == DemoSymbols(synthetic: 20_000, seed: 99).names)
        #expect(DemoSymbols(synthetic: 20_000, seed: 99).openingCents == DemoSymbols(synthetic: 20_000, seed: 99).openingCents)
        #expect(Set(names).intersection(DemoSymbols(synthetic: 20_000, seed: 100).names).count < 1_000)
    }
}
