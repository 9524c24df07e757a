@testable import FeedClientKit
import FeedModel
import Foundation
import Testing
import ZeroMQ

/// The sequenced feed on two lines (A/B) of scripted publishers: what one line lost, the other
/// covers, and the history is never asked.
extension SequencedFeedTests {
    @Test func twoLinesGiveOneStreamAndWhatOneLostTheOtherCoversWithoutHistory() throws {
        let fixture = try ReplayFixture()
        var session = ScriptedSession(session: Self.first)
        session.add(["NASDAQ.A", "NASDAQ.B"], count: 100)
        try session.record(1...100, into: fixture.databasePath)
        let lines = [try ScriptedPublisher(context: fixture.context), try ScriptedPublisher(context: fixture.context)]
        var options = SequencedFeed.Options(prefixes: [try TopicPrefix("NASDAQ.")], replayEndpoint: try fixture.startReplay())
        options.connectTimeoutMilliseconds = 20_000
        options.replayTimeoutMilliseconds = 20_000
        let feed = try SequencedFeed(context: fixture.context, endpoints: lines.map(\.endpoint), options: options)
        for line in lines { try line.awaitSubscription() }
        // Everything is queued before the feed reads, so each line's copies arrive side by side.
        let lost: [Set<UInt64>] = [[10, 50, 51, 52], [30, 70]]
        for (line, losses) in zip(lines, lost) {
            try line.heartbeat(session: Self.first, feedSequence: 0)
            try line.publish(session.messages(1...100).filter { !losses.contains($0.feedSequence) })
            try line.heartbeat(session: Self.first, feedSequence: 100)
        }

        let got = try events(of: feed, throughHeartbeat: 100, of: Self.first)
        for topic in ["NASDAQ.A", "NASDAQ.B"] {
            #expect(
                got.filter { $0.hasPrefix(topic + "#") } == brief(session.messages(1...100).filter { $0.topic.rawValue == topic }),
                "\(topic): \(got)")
        }
        #expect(!got.contains { $0.hasPrefix("gap") || $0.hasPrefix("unverified") }, "\(got)")
        #expect(feed.fromHistory == 0 && feed.duplicatesDropped == 0, "the lines covered each other: nothing from history")
        #expect(feed.lineFigures.map(\.endpoint) == lines.map(\.endpoint))
        #expect(feed.lineFigures.map(\.lost) == [4, 2] && feed.lineFigures.map(\.covered) == [4, 2], "\(feed.lineFigures)")
        #expect(feed.lineFigures.map(\.first).reduce(0, +) == 100 && feed.lineFigures.map(\.laterCopies).reduce(0, +) == 94)
    }
}
