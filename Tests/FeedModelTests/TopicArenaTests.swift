import FeedModel
import Testing

/// Topics back to back in one array: each read back as it was appended, by its index.
struct TopicArenaTests {
    private static func append(_ text: String, to arena: inout TopicArena) {
        Array(text.utf8).withUnsafeBytes { arena.append($0) }
    }

    private static func text(_ arena: TopicArena, _ index: Int) -> String {
        arena.withBytes(of: index) { String(decoding: $0, as: UTF8.self) }
    }

    @Test func topicsReadBackByIndexInOrderOfAppending() {
        var arena = TopicArena()
        let topics = ["NASDAQ.AAPL", "NYSE.BRK.B", "A.B", "", "PHLX.KQZT270319C00041250", "NASDAQ.AAPL"]
        for topic in topics { Self.append(topic, to: &arena) }
        #expect(arena.count == topics.count)
        #expect(topics.indices.map { Self.text(arena, $0) } == topics)
    }

    @Test func removeAllForgetsEveryTopicAndTheArenaCanBeRefilled() {
        var arena = TopicArena(reservingTopics: 2, bytes: 20)
        Self.append("NASDAQ.AAPL", to: &arena)
        Self.append("NYSE.IBM", to: &arena)
        arena.removeAll()
        #expect(arena.count == 0)
        Self.append("ARCA.SPY", to: &arena)
        #expect(arena.count == 1 && Self.text(arena, 0) == "ARCA.SPY")
    }
}
