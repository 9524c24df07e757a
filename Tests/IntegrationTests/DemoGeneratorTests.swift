import FeedHistory
import FeedModel
import Foundation
import Testing

/// `feed-server --demo` with `--demo-symbols`: a universe of any size, reproducible by its seed.
@Suite(.serialized)
struct DemoGeneratorTests {
    /// Runs a demo server until its history holds `count` messages and returns them, decoded
    /// (so every topic passed validation), in feed order.
    static func recordedDemo(_ arguments: [String], count: Int) throws -> [FeedMessage] {
        let server = try ServerFixture(extraArguments: ["--demo", "20000"] + arguments)
        try server.waitForStatus("recorded", atLeast: count)
        try server.stop()
        let store = try HistoryStore(path: server.databasePath, readOnly: true)
        let messages = try store.queryAll(HistoryQuery(session: server.session, limit: count)).decoded()
        #expect(messages.map(\.feedSequence) == Array(1...UInt64(count)))
        return messages
    }

    @Test func thousandsOfSymbolsSpreadOverVenuesAndEveryBlock() throws {
        let messages = try Self.recordedDemo(["--demo-symbols", "5000"], count: 8192)
        let venues = Set(messages.map { String($0.topic.venue) })
        #expect(venues == ["NASDAQ", "NYSE", "ARCA", "BATS", "IEX"])
        #expect(Set(messages.map(\.topic)).count > 3_000, "8192 messages over 5000 symbols")
        for block in [messages[..<4096], messages[4096...]] {
            let topics = Set(block.map(\.topic)).count
            #expect(topics > 2_000, "\(topics) topics in a block of 4096 messages over 5000 symbols")
        }
    }

    @Test func theSameSeedGivesTheSameSymbolsAndMessages() throws {
        let arguments = ["--demo-symbols", "300", "--demo-seed", "77"]
        let first = try Self.recordedDemo(arguments, count: 3000)
        let second = try Self.recordedDemo(arguments, count: 3000)
        #expect(Set(first.map(\.topic)).count == 300, "every symbol appears within 3000 messages of this seed")
        #expect(Set(first.map(\.topic)) == Set(second.map(\.topic)))
        #expect(first.map(\.topic) == second.map(\.topic) && first.map(\.payload) == second.map(\.payload))
    }
}
